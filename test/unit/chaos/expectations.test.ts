// The fault-specific invariants of the safety faults, as tables over acknowledged writes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkExpectation, type Expectation } from '../../../chaos/expectations.js';
import type { AcceptedWrite } from '../../../chaos/invariants.js';

const w = (node: string, sentAt: number, ackAt = sentAt + 5): AcceptedWrite => ({ node, sentAt, ackAt });
const every = (node: string, from: number, to: number, step: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => w(node, from + i * step));

describe('safety fault expectations', () => {
  const rows: [string, Expectation, AcceptedWrite[], number][] = [
    ['failsafe: writes all through the outage', { kind: 'stays_writable', node: 'n1', from: 0, to: 30_000, maxGapMs: 5_000 }, every('n1', 0, 30_000, 1000), 0],
    [
      'failsafe: a 10 s hole in the writes',
      { kind: 'stays_writable', node: 'n1', from: 0, to: 30_000, maxGapMs: 5_000 },
      [...every('n1', 0, 10_000, 1000), ...every('n1', 20_000, 30_000, 1000)],
      1,
    ],
    [
      'failsafe off: the primary stopped before its lease ran out',
      { kind: 'stops_writes_by', node: 'n1', deadline: 20_000, until: 60_000 },
      every('n1', 0, 15_000, 1000),
      0,
    ],
    [
      'failsafe off: the primary still took writes after its lease',
      { kind: 'stops_writes_by', node: 'n1', deadline: 20_000, until: 60_000 },
      every('n1', 0, 25_000, 1000),
      1,
    ],
    [
      'failsafe off: leading again later is fine',
      { kind: 'stops_writes_by', node: 'n1', deadline: 20_000, until: 60_000 },
      [...every('n1', 0, 15_000, 1000), w('n1', 70_000)],
      0,
    ],
    [
      'watchdog fired before the replica promoted',
      { kind: 'fenced_before_promotion', node: 'n1', from: 0, firedAt: 15_000 },
      [w('n1', 1000), w('n2', 30_000)],
      0,
    ],
    ['the replica promoted before the watchdog fired', { kind: 'fenced_before_promotion', node: 'n1', from: 0, firedAt: 15_000 }, [w('n2', 10_000)], 1],
    ['the watchdog never fired', { kind: 'fenced_before_promotion', node: 'n1', from: 0, firedAt: undefined }, [], 1],
    ['race backoff held the race', { kind: 'no_promotion_before', node: 'n1', from: 0, until: 25_000 }, [...every('n1', 0, 20_000, 1000), w('n2', 40_000)], 0],
    ['a replica raced while WAL still arrived', { kind: 'no_promotion_before', node: 'n1', from: 0, until: 25_000 }, [w('n2', 22_000)], 1],
    ['stuck shutdown bounded', { kind: 'stopped_within', node: 'n1', tookMs: 9_000, boundMs: 20_000 }, [], 0],
    ['stuck shutdown waited for the WAL sender', { kind: 'stopped_within', node: 'n1', tookMs: 61_000, boundMs: 20_000 }, [], 1],
    ['shutdown never finished', { kind: 'stopped_within', node: 'n1', tookMs: undefined, boundMs: 20_000 }, [], 1],
  ];
  for (const [name, e, writes, violations] of rows) {
    test(name, () => assert.equal(checkExpectation(e, writes).length, violations, checkExpectation(e, writes).join('; ')));
  }
});
