import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { commandLineOptions, serverParameters } from '../../../src/postgresql/parameters.js';

const input = { scope: 'batman', listenHosts: ['127.0.0.1', '10.0.0.1'], port: 5433, configDir: '/pg', majorVersion: 150000, local: {}, dynamic: {} };

describe('server parameters', () => {
  test('protected defaults, Patroni-owned values, PG15 renames', () => {
    const { main } = serverParameters(input);
    assert.deepEqual(main, {
      wal_level: 'replica',
      hot_standby: 'on',
      max_connections: '100',
      max_wal_senders: '10',
      wal_keep_size: '128MB',
      max_prepared_transactions: '0',
      max_locks_per_transaction: '64',
      track_commit_timestamp: 'off',
      max_replication_slots: '10',
      max_worker_processes: '8',
      wal_log_hints: 'on',
      cluster_name: 'batman',
      listen_addresses: '127.0.0.1,10.0.0.1',
      port: '5433',
    });
  });
  test('dynamic parameters validated, local ones override but cannot touch protected', () => {
    const { main } = serverParameters({
      ...input,
      dynamic: { max_connections: 200, max_wal_senders: 1, work_mem: '8MB', hot_standby: 'off', wal_log_hints: false },
      local: { work_mem: '16MB', max_connections: 500, port: 1, 'pg_stat_statements.max': 1000, ssl: true },
    });
    assert.equal(main.max_connections, '200');
    assert.equal(main.max_wal_senders, '10', 'invalid dynamic value -> default');
    assert.equal(main.hot_standby, 'on');
    assert.equal(main.wal_log_hints, 'on');
    assert.equal(main.work_mem, '16MB');
    assert.equal(main.port, '5433');
    assert.equal(main['pg_stat_statements.max'], '1000');
    assert.equal(main.ssl, 'on');
  });
  test('wal_keep_segments converted to wal_keep_size on PG13+, back on PG12', () => {
    assert.equal(serverParameters({ ...input, dynamic: { wal_keep_segments: 10 } }).main.wal_keep_size, '160MB');
    const pg12 = serverParameters({ ...input, majorVersion: 120000, dynamic: { wal_keep_size: '256MB' } }).main;
    assert.equal(pg12.wal_keep_segments, '16');
    assert.equal(pg12.wal_keep_size, undefined);
  });
  test('recovery GUCs under parameters are split out; relative hba_file resolved in config_dir', () => {
    const { main, recovery } = serverParameters({ ...input, local: { restore_command: 'cp %f', hba_file: 'my_hba.conf' } });
    assert.deepEqual(recovery, { restore_command: 'cp %f' });
    assert.equal(main.restore_command, undefined);
    assert.equal(main.hba_file, '/pg/my_hba.conf');
  });
  test('command line options in Patroni order without wal_keep_*', () => {
    assert.deepEqual(commandLineOptions(serverParameters(input).main), [
      '--listen_addresses=127.0.0.1,10.0.0.1',
      '--port=5433',
      '--cluster_name=batman',
      '--wal_level=replica',
      '--hot_standby=on',
      '--max_connections=100',
      '--max_wal_senders=10',
      '--max_prepared_transactions=0',
      '--max_locks_per_transaction=64',
      '--track_commit_timestamp=off',
      '--max_replication_slots=10',
      '--max_worker_processes=8',
      '--wal_log_hints=on',
    ]);
  });
});
