import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOptions } from '../../../chaos/options.js';
import { buildPlan, FAULT_PROFILES, SHORT_PLAN } from '../../../chaos/plan.js';
import { makeRng } from '../../../chaos/rng.js';
import { formatTable, median, summarize, type FaultResult } from '../../../chaos/stats.js';
import { makeTopology } from '../../../chaos/topology.js';

describe('seeded plans', () => {
  test('the same seed gives the same order; another seed another one', () => {
    const a = buildPlan('long', 3, makeRng(42));
    assert.deepEqual(buildPlan('long', 3, makeRng(42)), a);
    assert.notDeepEqual(buildPlan('long', 3, makeRng(43)), a);
  });

  test('long runs every fault repeats times per profile, async first; freeze-daemon only strict', () => {
    const plan = buildPlan('long', 2, makeRng(1));
    assert.equal(plan.filter((p) => p.fault === 'kill-primary').length, 4);
    assert.deepEqual(
      plan.filter((p) => p.fault === 'freeze-daemon').map((p) => p.profile),
      ['strict', 'strict'],
    );
    const firstStrict = plan.findIndex((p) => p.profile === 'strict');
    assert.ok(plan.slice(firstStrict).every((p) => p.profile === 'strict'));
  });

  test('quick runs each fault once per profile; --faults narrows it; short is the fixed in-suite trio', () => {
    assert.equal(
      buildPlan('quick', 3, makeRng(1)).length,
      Object.values(FAULT_PROFILES).reduce((n, p) => n + p.length, 0),
    );
    assert.deepEqual(
      buildPlan('quick', 3, makeRng(1), ['stop-etcd']).map((p) => p.fault),
      ['stop-etcd', 'stop-etcd'],
    );
    assert.deepEqual(
      buildPlan('short', 3, makeRng(1)).map((p) => p.fault),
      [...SHORT_PLAN],
    );
  });

  test('options: seed, mode and fault names are checked', () => {
    const o = parseOptions(['--seed', '7', '--quick', '--faults', 'kill-primary,stop-etcd'], 1);
    assert.equal(o.seed, 7);
    assert.equal(o.mode, 'quick');
    assert.deepEqual(o.faults, ['kill-primary', 'stop-etcd']);
    assert.equal(parseOptions([], 99).seed, 99);
    assert.throws(() => parseOptions(['--faults', 'meteor'], 1), /unknown fault/);
    assert.throws(() => parseOptions(['--nodes', '2'], 1), /--nodes/);
  });
});

describe('summary', () => {
  const result = (over: Partial<FaultResult>): FaultResult => ({
    fault: 'kill-primary',
    profile: 'async',
    outcome: 'ok',
    violations: [],
    recoveryMs: 1000,
    writeGapMs: 20_000,
    lostCommits: 0,
    notes: [],
    ...over,
  });

  test('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  test('rows per profile and fault with counts and min/median/max; skipped runs do not count as injected', () => {
    const rows = summarize([
      result({ recoveryMs: 1000 }),
      result({ recoveryMs: 3000, violations: ['x'], outcome: 'violated', lostCommits: 2 }),
      result({ recoveryMs: 2000 }),
      result({ outcome: 'skipped', recoveryMs: undefined }),
    ]);
    assert.deepEqual(rows, [
      { fault: 'async:kill-primary', injected: 3, skipped: 1, violations: 1, recovery: '1.0 / 2.0 / 3.0', writeGap: '20.0 / 20.0 / 20.0', lost: 2 },
    ]);
    const table = formatTable(rows);
    assert.match(table, /\| async:kill-primary \| 3 +\| 1 +\| 1 +\| 1\.0 \/ 2\.0 \/ 3\.0/);
    assert.match(table, /\| TOTAL +\| 3 +\| 1 +\| 1 /);
  });
});

describe('topology', () => {
  test('names share the run prefix; addresses are in the private lab subnet and distinct', () => {
    const t = makeTopology('123', 3);
    const hosts = [t.ctl, t.etcd, ...t.nodes];
    assert.ok(hosts.every((h) => h.netns.startsWith('pts-chaos-123-') && h.address.startsWith('10.213.0.')));
    assert.equal(new Set(hosts.map((h) => h.address)).size, hosts.length);
    assert.deepEqual(
      t.nodes.map((n) => n.name),
      ['node1', 'node2', 'node3'],
    );
  });
});
