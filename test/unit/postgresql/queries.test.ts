import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pyTimestamp, replicationStateOf, toRunningServer, type SnapshotRow } from '../../../src/postgresql/queries.js';

const row = (over: Partial<SnapshotRow>): SnapshotRow => ({
  in_recovery: false,
  primary_tli: 3,
  checkpoint_tli: 2,
  flush_lsn: '50331648',
  receive_lsn: null,
  replay_lsn: null,
  replay_ts: null,
  replay_paused: false,
  receiver_status: null,
  received_tli: null,
  latest_end_lsn: null,
  restore_command: '',
  primary_conninfo: '',
  server_version: 150008,
  start_time: '2026-11-25 22:00:00.123456',
  replication: null,
  pending: null,
  ...over,
});

describe('snapshot row mapping', () => {
  test('primary: timeline from the current WAL file, flush LSN', () => {
    const s = toRunningServer(row({}));
    assert.equal(s.timeline, 3);
    assert.equal(s.walLsn, 50331648);
    assert.equal(s.replicationState, null);
    assert.equal(s.postmasterStartTime, '2026-11-25 22:00:00.123456+00:00');
    assert.equal(s.followingHost, null);
  });
  test('replica: received timeline, max(receive, replay), upstream host from primary_conninfo', () => {
    const s = toRunningServer(
      row({
        in_recovery: true,
        primary_tli: null,
        flush_lsn: null,
        receive_lsn: '200',
        replay_lsn: '150',
        received_tli: 4,
        receiver_status: 'streaming',
        latest_end_lsn: '190',
        replay_ts: '2026-11-25 22:00:01.000000',
        primary_conninfo: 'dbname=postgres user=r host=10.0.0.9 port=5432',
        pending: [{ name: 'max_connections', old_value: '100', new_value: '200' }],
      }),
    );
    assert.equal(s.timeline, 4);
    assert.equal(s.walLsn, 200);
    assert.equal(s.latestEndLsn, 190);
    assert.equal(s.replicationState, 'streaming');
    assert.equal(s.replayedTimestamp, '2026-11-25 22:00:01+00:00');
    assert.equal(s.followingHost, '10.0.0.9');
    assert.deepEqual(s.pendingRestart, { max_connections: { old_value: '100', new_value: '200' } });
  });
  test('replica without a receiver falls back to the checkpoint timeline', () => {
    assert.equal(toRunningServer(row({ in_recovery: true, received_tli: null })).timeline, 2);
  });
  test('replication state per Patroni', () => {
    assert.equal(replicationStateOf(true, 'streaming', ''), 'streaming');
    assert.equal(replicationStateOf(true, 'waiting', 'cp %f %p'), 'in archive recovery');
    assert.equal(replicationStateOf(true, null, ''), null);
    assert.equal(replicationStateOf(false, 'streaming', ''), null);
    assert.equal(pyTimestamp('2026-01-01 00:00:00.000000'), '2026-01-01 00:00:00+00:00');
  });
});
