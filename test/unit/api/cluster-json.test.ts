import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterAsJson, formatLsn } from '../../../src/api/cluster-json.js';
import { pyJson } from '../../../src/util/py-json.js';
import { batman, dynamicConfig } from '../../support/api/fixtures.js';

test('cluster_as_json reproduces a GET /cluster sample', () => {
  const expected = {
    members: [
      { name: 'postgresql0', role: 'leader', state: 'running', api_url: 'http://127.0.0.1:8008/patroni', host: '127.0.0.1', port: 5432, timeline: 5 },
      {
        name: 'postgresql1',
        role: 'replica',
        state: 'streaming',
        api_url: 'http://127.0.0.1:8009/patroni',
        host: '127.0.0.1',
        port: 5433,
        timeline: 5,
        receive_lag: 3145728,
        receive_lsn: '0/40000E8',
        replay_lag: 3145728,
        replay_lsn: '0/40000E8',
        lag: 3145728,
        lsn: '0/40000E8',
      },
      {
        name: 'postgresql2',
        role: 'replica',
        state: 'stopped',
        api_url: 'http://127.0.0.1:8010/patroni',
        host: '127.0.0.1',
        port: 5434,
        receive_lsn: 'unknown',
        receive_lag: 'unknown',
        replay_lsn: 'unknown',
        replay_lag: 'unknown',
        lsn: 'unknown',
        lag: 'unknown',
      },
    ],
    scope: 'batman',
  };
  // Compare the wire text so key order counts.
  assert.equal(pyJson(clusterAsJson(batman(), dynamicConfig(), 'batman')), pyJson(expected));
});

test('roles, pause and scheduled switchover', () => {
  const cluster = batman({
    sync: { leader: 'postgresql0', members: ['POSTGRESQL1'], quorum: 0 },
    failover: {
      version: '1',
      leader: 'postgresql0',
      candidate: 'postgresql1',
      scheduledAt: new Date('2023-09-13T21:00:00Z'),
      scheduledAtRaw: '2023-09-13T18:00:00-03:00',
    },
  });
  const sync = clusterAsJson(cluster, dynamicConfig({ synchronous_mode: 'on', pause: true }), 'batman');
  assert.deepEqual(
    sync.members.map((m) => m.role),
    ['leader', 'sync_standby', 'replica'],
  );
  assert.deepEqual(Object.keys(sync), ['members', 'pause', 'scheduled_switchover', 'scope']);
  assert.deepEqual(sync.scheduled_switchover, { at: '2023-09-13T18:00:00-03:00', from: 'postgresql0', to: 'postgresql1' });
  const quorum = clusterAsJson(cluster, dynamicConfig({ synchronous_mode: 'quorum' }), 'batman');
  assert.equal(quorum.members[1]?.role, 'quorum_standby');
  assert.equal(clusterAsJson(cluster, dynamicConfig(), 'batman').members[1]?.role, 'replica');
  const standby = clusterAsJson(cluster, dynamicConfig({ standby_cluster: { host: 'x' } }), 'batman');
  assert.equal(standby.members[0]?.role, 'standby_leader');
  const noRaw = clusterAsJson(batman({ failover: { version: '1', scheduledAt: new Date('2023-09-13T21:00:00Z') } }), dynamicConfig(), 'b');
  assert.deepEqual(noRaw.scheduled_switchover, { at: '2023-09-13T21:00:00+00:00' });
});

test('LSN formatting', () => {
  assert.equal(formatLsn(0x40000e8), '0/40000E8');
  assert.equal(formatLsn(0x1_0000_0000 + 0xff), '1/FF');
});
