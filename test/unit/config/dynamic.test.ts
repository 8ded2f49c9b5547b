import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { adjustTimeouts, buildDynamicConfig, parseDuration, parseSize } from '../../../src/config/dynamic.js';

describe('buildDynamicConfig', () => {
  test('defaults (Config.__DEFAULT_CONFIG)', () => {
    const d = buildDynamicConfig(undefined);
    const { raw, ...rest } = d;
    assert.deepEqual(raw, {});
    assert.deepEqual(rest, {
      ttl: 30,
      loop_wait: 10,
      retry_timeout: 10,
      maximum_lag_on_failover: 1048576,
      maximum_lag_on_syncnode: -1,
      max_timelines_history: 0,
      primary_start_timeout: 300,
      primary_stop_timeout: 0,
      primary_race_backoff: 0,
      check_timeline: false,
      pause: false,
      synchronous_mode: 'off',
      synchronous_mode_strict: false,
      synchronous_node_count: 1,
      failsafe_mode: false,
      member_slots_ttl: 1800,
      standby_cluster: null,
      use_slots: true,
      use_pg_rewind: false,
      parameters: {},
    });
  });

  test('lenient booleans, strings as numbers, legacy master_* aliases', () => {
    const d = buildDynamicConfig({
      ttl: '40',
      pause: 'on',
      check_timeline: 'yes',
      failsafe_mode: 'TRUE',
      synchronous_mode_strict: 'off',
      master_start_timeout: 20,
      primary_stop_timeout: 5,
      master_stop_timeout: 99,
      postgresql: { use_slots: 'off', use_pg_rewind: true, parameters: { work_mem: '4MB' } },
    });
    assert.equal(d.ttl, 40);
    assert.equal(d.pause, true);
    assert.equal(d.check_timeline, true);
    assert.equal(d.failsafe_mode, true);
    assert.equal(d.synchronous_mode_strict, false);
    assert.equal(d.primary_start_timeout, 20);
    assert.equal(d.primary_stop_timeout, 5);
    assert.equal(d.use_slots, false);
    assert.equal(d.use_pg_rewind, true);
    assert.deepEqual(d.parameters, { work_mem: '4MB' });
    assert.equal(buildDynamicConfig({ primary_start_timeout: 7, master_start_timeout: 20 }).primary_start_timeout, 7);
  });

  const syncCases: Array<[unknown, string]> = [
    [true, 'on'],
    ['on', 'on'],
    ['quorum', 'quorum'],
    ['QUORUM', 'quorum'],
    [false, 'off'],
    ['off', 'off'],
    ['bogus', 'off'],
    [undefined, 'off'],
  ];
  for (const [input, expected] of syncCases) {
    test(`synchronous_mode ${JSON.stringify(input)} -> ${expected}`, () => {
      assert.equal(buildDynamicConfig(input === undefined ? {} : { synchronous_mode: input as string }).synchronous_mode, expected);
    });
  }

  test('synchronous_node_count: strict needs at least 1', () => {
    assert.equal(buildDynamicConfig({ synchronous_node_count: 0 }).synchronous_node_count, 0);
    assert.equal(buildDynamicConfig({ synchronous_node_count: 0, synchronous_mode_strict: true }).synchronous_node_count, 1);
    assert.equal(buildDynamicConfig({ synchronous_node_count: 3 }).synchronous_node_count, 3);
  });

  test('member_slots_ttl with units', () => {
    assert.equal(buildDynamicConfig({ member_slots_ttl: '30min' }).member_slots_ttl, 1800);
    assert.equal(buildDynamicConfig({ member_slots_ttl: '1h' }).member_slots_ttl, 3600);
    assert.equal(buildDynamicConfig({ member_slots_ttl: 0 }).member_slots_ttl, 0);
  });

  test('standby_cluster is active iff host, port or restore_command is set', () => {
    assert.equal(buildDynamicConfig({ standby_cluster: { primary_slot_name: 'x' } }).standby_cluster, null);
    assert.equal(buildDynamicConfig({ standby_cluster: { host: '' } }).standby_cluster, null);
    const d = buildDynamicConfig({ standby_cluster: { host: '10.0.0.1', port: 5433, unknown: 1 }, synchronous_mode: true });
    assert.deepEqual(d.standby_cluster, { host: '10.0.0.1', port: 5433 });
    assert.equal(d.synchronous_mode, 'off', 'synchronous mode is ignored in a standby cluster');
    assert.deepEqual(buildDynamicConfig({ standby_cluster: { restore_command: 'cp x y' } }).standby_cluster, { restore_command: 'cp x y' });
  });

  test('protected parameters: invalid values and local-only names are dropped', () => {
    const d = buildDynamicConfig({
      postgresql: { parameters: { max_connections: 10, max_wal_senders: 5, port: 6000, wal_level: 'logical', hot_standby: 'off' } },
    });
    assert.deepEqual(d.parameters, { max_wal_senders: 5, wal_level: 'logical' });
  });
});

describe('timeout sanity rule (Config._validate_and_adjust_timeouts)', () => {
  const cases: Array<[[number, number, number], [number, number, number]]> = [
    // [ttl, loop_wait, retry_timeout] -> adjusted
    [
      [30, 10, 10],
      [30, 10, 10],
    ],
    [
      [30, 15, 10],
      [30, 10, 10],
    ],
    [
      [20, 10, 10],
      [20, 1, 9],
    ],
    [
      [25, 10, 10],
      [25, 5, 10],
    ],
    [
      [10, 0, 1],
      [10, 1, 3],
    ],
    // Below Patroni's minimum: patroni-ts keeps the ttl (>= 6) and loop_wait, only 2*retry_timeout <= ttl.
    [
      [6, 10, 10],
      [6, 10, 3],
    ],
    [
      [3, 10, 3],
      [6, 10, 3],
    ],
    [
      [7, 10, 3],
      [7, 10, 3],
    ],
    [
      [21, 5, 10],
      [21, 1, 10],
    ],
    [
      [20, 5, 3],
      [20, 5, 3],
    ],
    [
      [100, 10, 60],
      [100, 1, 49],
    ],
  ];
  for (const [[ttl, loop_wait, retry_timeout], expected] of cases) {
    test(`ttl=${ttl} loop_wait=${loop_wait} retry_timeout=${retry_timeout}`, () => {
      const r = adjustTimeouts({ ttl, loop_wait, retry_timeout });
      assert.deepEqual([r.ttl, r.loop_wait, r.retry_timeout], expected);
      assert.ok(r.ttl < 20 ? 2 * r.retry_timeout <= r.ttl : r.loop_wait + 2 * r.retry_timeout <= r.ttl);
      const changed = r.warnings.filter((w) => !w.includes("below Patroni's minimum of 20: kept"));
      assert.equal(changed.length > 0, expected.join() !== [ttl, loop_wait, retry_timeout].join(), r.warnings.join('\n'));
    });
  }

  test('applied by buildDynamicConfig', () => {
    const d = buildDynamicConfig({ ttl: 20, loop_wait: 10, retry_timeout: 10 });
    assert.deepEqual([d.ttl, d.loop_wait, d.retry_timeout], [20, 1, 9]);
  });
});

describe('units', () => {
  test('durations and sizes', () => {
    assert.equal(parseDuration('30min'), 1800);
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration(' 2h '), 7200);
    assert.equal(parseDuration('1000ms'), 1);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration(true), undefined);
    assert.equal(parseSize('16MB'), 16 * 1024 * 1024);
    assert.equal(parseSize('1kB'), 1024);
    assert.equal(parseSize('0x10'), 16);
    assert.equal(parseSize('5min'), undefined);
  });
});
