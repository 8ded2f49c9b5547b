import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findDoublePrimaries, judgeLoss, parseLsn, parseTimelineHistory, type AckedCommit } from '../../../chaos/invariants.js';

describe('findDoublePrimaries', () => {
  test('a clean failover (old primary stops before the new one accepts) is no incident', () => {
    const writes = [
      { node: 'node1', sentAt: 0, ackAt: 2 },
      { node: 'node1', sentAt: 10, ackAt: 12 },
      { node: 'node2', sentAt: 30_000, ackAt: 30_002 },
      { node: 'node2', sentAt: 30_010, ackAt: 30_012 },
    ];
    assert.deepEqual(findDoublePrimaries(writes), []);
  });

  test('overlapping acceptances on two nodes are reported once per pair and second', () => {
    const writes = [
      { node: 'node2', sentAt: 1000, ackAt: 1005 },
      { node: 'node1', sentAt: 1001, ackAt: 1003 },
      { node: 'node1', sentAt: 1002, ackAt: 1006 },
      { node: 'node1', sentAt: 5000, ackAt: 5001 },
    ];
    const found = findDoublePrimaries(writes);
    assert.deepEqual(found, [{ first: 'node2', second: 'node1', at: 1001 }]);
  });

  test('a write acknowledged late (sent before, answered after the other node accepted) is an incident', () => {
    const writes = [
      { node: 'node1', sentAt: 100, ackAt: 9000 },
      { node: 'node2', sentAt: 5000, ackAt: 5002 },
    ];
    assert.equal(findDoublePrimaries(writes).length, 1);
  });
});

describe('timeline history and LSNs', () => {
  test('parseLsn reads hi/lo hex', () => {
    assert.equal(parseLsn('0/3000060'), 0x3000060n);
    assert.equal(parseLsn('1/0'), 1n << 32n);
    assert.throws(() => parseLsn('nope'));
  });

  test('parseTimelineHistory reads parent timelines and switchpoints', () => {
    const text = '1\t0/4046F50\tno recovery target specified\n\n2\t0/5000000\tno recovery target specified\n';
    assert.deepEqual(parseTimelineHistory(text), [
      { timeline: 1, switchpoint: 0x4046f50n },
      { timeline: 2, switchpoint: 0x5000000n },
    ]);
  });
});

describe('judgeLoss', () => {
  const history = [{ timeline: 1, switchpoint: 1000n }];
  const commit = (over: Partial<AckedCommit>): AckedCommit => ({ id: 1, node: 'node1', timeline: 1, lsnBefore: 1100n, lsnAfter: 1200n, ...over });
  const async = { kind: 'async', maximumLagOnFailover: 1048576 } as const;

  test('a commit after the switchpoint is an allowed asynchronous loss, measured in bytes', () => {
    const r = judgeLoss([commit({})], 2, history, async);
    assert.deepEqual(r.violations, []);
    assert.equal(r.maxLostBytes, 200);
  });

  test('beyond maximum_lag_on_failover it is a violation', () => {
    const r = judgeLoss([commit({})], 2, history, { kind: 'async', maximumLagOnFailover: 100 });
    assert.equal(r.violations.length, 1);
  });

  test('under synchronous_mode_strict any lost acknowledged commit is a violation', () => {
    assert.match(judgeLoss([commit({})], 2, history, { kind: 'strict' }).violations[0] ?? '', /synchronous_mode_strict/);
  });

  test('missing although committed before the switchpoint, on the leader timeline, or on a foreign timeline: violations', () => {
    assert.match(judgeLoss([commit({ lsnBefore: 900n, lsnAfter: 950n })], 2, history, async).violations[0] ?? '', /continued past/);
    assert.match(judgeLoss([commit({ timeline: 2 })], 2, history, async).violations[0] ?? '', /leader's own timeline/);
    assert.match(judgeLoss([commit({ timeline: 3 })], 4, history, async).violations[0] ?? '', /not in the leader's history/);
  });

  test('a commit whose end position is unknown is judged by the position before it', () => {
    const r = judgeLoss([commit({ lsnBefore: 990n, lsnAfter: undefined })], 2, history, async);
    assert.deepEqual(r.violations, []);
    assert.equal(r.maxLostBytes, 0);
  });
});
