import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochSeconds, paddedSemver, renderMetrics } from '../../../src/api/metrics.js';
import { buildNodeStatus } from '../../../src/api/node-status.js';
import { batman, dynamicConfig, runningServer, snapshot } from '../../support/api/fixtures.js';

const identity = { version: '4.1.4', scope: 'batman', name: 'postgresql1' };

test('helpers: padded semver keeps the leading zero, epoch seconds keep microseconds', () => {
  assert.equal(paddedSemver('4.1.4'), '040104');
  assert.equal(epochSeconds('2024-08-28 19:39:26.352526+00:00'), '1724873966.352526');
  assert.equal(epochSeconds('2024-08-28 21:39:26+02:00'), '1724873966.0');
  assert.equal(epochSeconds(null), '0');
});

test('replica metrics: names, HELP/TYPE lines, labels, values, # Values comment', () => {
  const server = runningServer({
    inRecovery: true,
    receiveLsn: 100,
    replayLsn: 90,
    replicationState: 'streaming',
    timeline: 5,
    replayedTimestamp: '2024-08-28 19:39:26.352526+00:00',
  });
  const { status } = buildNodeStatus({
    snapshot: snapshot(server),
    internalRole: 'replica',
    cluster: batman(),
    dynamic: dynamicConfig(),
    replicaTimeline: 5,
    failsafeActive: false,
    dcsLastSeen: 1724874235,
    tags: { failover_priority: 3 },
    identity,
  });
  const text = renderMetrics({
    status,
    scope: 'batman',
    name: 'postgresql1',
    version: '4.1.4',
    failsafeModeEnabled: true,
    failsafeMember: false,
    tags: { failover_priority: 3 },
  });
  const lines = text.split('\n');
  assert.equal(lines.at(-1), '', 'trailing newline');
  assert.deepEqual(lines.slice(0, 3), [
    '# HELP patroni_version Patroni semver without periods.',
    '# TYPE patroni_version gauge',
    'patroni_version{scope="batman",name="postgresql1"} 040104',
  ]);
  const sample = (name: string) => lines.find((l) => l.startsWith(`${name}{`))?.split(' ')[1];
  assert.equal(sample('patroni_postgres_running'), '1');
  assert.equal(sample('patroni_primary'), '0');
  assert.equal(sample('patroni_replica'), '1');
  assert.equal(sample('patroni_xlog_location'), '0');
  assert.equal(sample('patroni_xlog_received_location'), '100');
  assert.equal(sample('patroni_xlog_replayed_location'), '90');
  assert.equal(sample('patroni_xlog_replayed_timestamp'), '1724873966.352526');
  assert.equal(sample('patroni_postgres_streaming'), '1');
  assert.equal(sample('patroni_postgres_server_version'), '160004');
  assert.equal(sample('patroni_postgres_timeline'), '5');
  assert.equal(sample('patroni_dcs_last_seen'), '1724874235');
  assert.equal(sample('patroni_failsafe_mode_enabled'), '1');
  assert.equal(sample('patroni_postgres_state'), '5');
  assert.equal(sample('patroni_failover_priority'), '3');
  assert.ok(lines.includes('# TYPE patroni_xlog_location counter'));
  assert.ok(lines.includes('# TYPE patroni_postgres_timeline gauge'));
  const i = lines.indexOf('# HELP patroni_postgres_state Numeric representation of Postgres state.');
  assert.match(lines[i + 1] ?? '', /^# Values: 0=initdb, 1=initdb_failed, .*14=crashed$/);
  assert.equal(lines[i + 2], '# TYPE patroni_postgres_state gauge');
  const names = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
  assert.deepEqual(names, [
    'patroni_version',
    'patroni_postgres_running',
    'patroni_postmaster_start_time',
    'patroni_primary',
    'patroni_xlog_location',
    'patroni_standby_leader',
    'patroni_replica',
    'patroni_sync_standby',
    'patroni_quorum_standby',
    'patroni_xlog_received_location',
    'patroni_xlog_replayed_location',
    'patroni_xlog_replayed_timestamp',
    'patroni_xlog_paused',
    'patroni_postgres_streaming',
    'patroni_postgres_in_archive_recovery',
    'patroni_postgres_server_version',
    'patroni_cluster_unlocked',
    'patroni_failsafe_mode_is_active',
    'patroni_failsafe_mode_enabled',
    'patroni_failsafe_member',
    'patroni_postgres_timeline',
    'patroni_dcs_last_seen',
    'patroni_pending_restart',
    'patroni_is_paused',
    'patroni_postgres_state',
    'patroni_failover_priority',
  ]);
});

test('stopped node: zeros, unknown state -1 never appears for stopped, no streaming metrics without a version', () => {
  const { status } = buildNodeStatus({
    snapshot: snapshot(null),
    internalRole: 'replica',
    cluster: null,
    dynamic: dynamicConfig(),
    replicaTimeline: null,
    failsafeActive: false,
    dcsLastSeen: 0,
    tags: { nofailover: true },
    identity,
  });
  const text = renderMetrics({
    status,
    scope: 'batman',
    name: 'postgresql1',
    version: '4.1.4',
    failsafeModeEnabled: false,
    failsafeMember: false,
    tags: { nofailover: true },
  });
  assert.match(text, /^patroni_postgres_state\{scope="batman",name="postgresql1"\} 12$/m);
  assert.match(text, /^patroni_cluster_unlocked\{.*\} 1$/m);
  assert.match(text, /^patroni_failover_priority\{.*\} 0$/m);
  assert.doesNotMatch(text, /patroni_postgres_streaming/);
});
