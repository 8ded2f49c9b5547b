import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNodeStatus, type NodeStatusInput } from '../../../src/api/node-status.js';
import { pyJson } from '../../../src/util/py-json.js';
import { batman, dynamicConfig, runningServer, snapshot } from '../../support/api/fixtures.js';

const base = (name: string): Omit<NodeStatusInput, 'snapshot' | 'internalRole'> => ({
  cluster: batman(),
  dynamic: dynamicConfig(),
  replicaTimeline: 5,
  failsafeActive: false,
  dcsLastSeen: 1724874235,
  tags: { clonefrom: true },
  identity: { version: '4.1.4', scope: 'batman', name },
});

test('primary status matches the spec example byte for byte', () => {
  const server = runningServer({
    replication: [
      { usename: 'replicator', application_name: 'postgresql1', client_addr: '127.0.0.1', state: 'streaming', sync_state: 'async', sync_priority: 0 },
    ],
  });
  const { status } = buildNodeStatus({ ...base('postgresql0'), snapshot: snapshot(server), internalRole: 'primary' });
  assert.equal(
    pyJson(status),
    '{"state": "running", "postmaster_start_time": "2024-08-28 19:39:26.352526+00:00", "role": "primary", ' +
      '"server_version": 160004, "xlog": {"location": 67109096}, "timeline": 5, ' +
      '"replication": [{"usename": "replicator", "application_name": "postgresql1", "client_addr": "127.0.0.1", ' +
      '"state": "streaming", "sync_state": "async", "sync_priority": 0}], ' +
      '"dcs_last_seen": 1724874235, "tags": {"clonefrom": true}, "database_system_identifier": "7277694203142172922", ' +
      '"patroni": {"version": "4.1.4", "scope": "batman", "name": "postgresql0"}}',
  );
});

test('streaming replica status matches the spec example and reports latest_end_lsn separately', () => {
  const server = runningServer({
    inRecovery: true,
    timeline: 0,
    receiveLsn: 67109096,
    replayLsn: 67109096,
    replayedTimestamp: '2024-08-28 19:39:26.352526+00:00',
    replicationState: 'streaming',
    latestEndLsn: 67109200,
  });
  const { status, latestEndLsn } = buildNodeStatus({ ...base('postgresql1'), snapshot: snapshot(server), internalRole: 'replica' });
  assert.equal(
    pyJson(status),
    '{"state": "running", "postmaster_start_time": "2024-08-28 19:39:26.352526+00:00", "role": "replica", ' +
      '"server_version": 160004, "xlog": {"received_location": 67109096, "replayed_location": 67109096, ' +
      '"replayed_timestamp": "2024-08-28 19:39:26.352526+00:00", "paused": false}, "timeline": 5, ' +
      '"replication_state": "streaming", "dcs_last_seen": 1724874235, "tags": {"clonefrom": true}, ' +
      '"database_system_identifier": "7277694203142172922", ' +
      '"patroni": {"version": "4.1.4", "scope": "batman", "name": "postgresql1"}}',
  );
  assert.equal(latestEndLsn, 67109200);
});

test('stopped node with no leader: cluster_unlocked, internal role', () => {
  const { status } = buildNodeStatus({
    ...base('postgresql2'),
    cluster: batman({ leader: null }),
    tags: {},
    snapshot: snapshot(null, { dataDir: { kind: 'empty' } }),
    internalRole: 'replica',
  });
  assert.equal(
    pyJson(status),
    '{"state": "stopped", "role": "replica", "cluster_unlocked": true, "dcs_last_seen": 1724874235, ' +
      '"patroni": {"version": "4.1.4", "scope": "batman", "name": "postgresql2"}}',
  );
});

test('running but unqueryable is reported as unknown; pause, sync standby and pending restart flags', () => {
  const down = buildNodeStatus({ ...base('x'), tags: {}, snapshot: snapshot(null, { state: 'running' }), internalRole: 'primary' });
  assert.equal(down.status.state, 'unknown');
  assert.equal(down.status.role, 'primary');

  const server = runningServer({ inRecovery: true, pendingRestart: { max_connections: { old_value: '100', new_value: '200' } } });
  const cluster = batman({ sync: { leader: 'postgresql0', members: ['postgresql1'], quorum: 0 } });
  const { status } = buildNodeStatus({
    ...base('postgresql1'),
    cluster,
    dynamic: dynamicConfig({ pause: true, synchronous_mode: 'on' }),
    failsafeActive: true,
    snapshot: snapshot(server),
    internalRole: 'replica',
  });
  assert.deepEqual(Object.keys(status), [
    'state',
    'postmaster_start_time',
    'role',
    'server_version',
    'xlog',
    'sync_standby',
    'timeline',
    'pause',
    'failsafe_mode_is_active',
    'dcs_last_seen',
    'tags',
    'database_system_identifier',
    'pending_restart',
    'pending_restart_reason',
    'patroni',
  ]);
  const quorum = buildNodeStatus({
    ...base('postgresql1'),
    cluster,
    dynamic: dynamicConfig({ synchronous_mode: 'quorum' }),
    snapshot: snapshot(server),
    internalRole: 'replica',
  });
  assert.equal(quorum.status.quorum_standby, true);
  assert.equal(quorum.status.sync_standby, undefined);
});

test('py-json escapes like Python json.dumps', () => {
  assert.equal(pyJson({ a: 'é\n"\\', b: [1, null, false], c: '\u007f' }), '{"a": "\\u00e9\\n\\"\\\\", "b": [1, null, false], "c": "\\u007f"}');
});
