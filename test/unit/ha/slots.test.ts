// Slot rules: member slots per role, permanent slots, ignore_slots, what to create and drop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import {
  isIgnored,
  memberSlotOwners,
  needsHotStandbyFeedback,
  permanentSlots,
  permanentSlotsFor,
  planSlots,
  retainedSlots,
  type ExistingSlot,
} from '../../../src/ha/core/slots.js';
import { cluster, member } from './fixtures.js';

const phys = (name: string): ExistingSlot => ({ name, type: 'physical', database: null, plugin: null });

describe('member slots', () => {
  const c = cluster({
    leader: 'node1',
    members: [member('node1'), member('node2'), member('node3', { tags: { replicatefrom: 'node2' } }), member('node4', { tags: { nostream: true } })],
  });
  test('PG11+ with member_slots_ttl: every node keeps slots for every streaming member but itself', () => {
    const cfg = buildDynamicConfig({});
    assert.deepEqual(memberSlotOwners(c, 'node1', 'primary', cfg, {}, 150000), ['node2', 'node3']);
    assert.deepEqual(memberSlotOwners(c, 'node2', 'replica', cfg, {}, 150000), ['node1', 'node3']);
    assert.deepEqual(memberSlotOwners(c, 'node2', 'replica', cfg, { nofailover: true }, 150000), ['node3']);
  });
  test('without member_slots_ttl: the leader serves direct replicas, a replica its cascading ones', () => {
    const cfg = buildDynamicConfig({ member_slots_ttl: 0 });
    assert.deepEqual(memberSlotOwners(c, 'node1', 'primary', cfg, {}, 150000), ['node2']);
    assert.deepEqual(memberSlotOwners(c, 'node2', 'replica', cfg, {}, 150000), ['node3']);
  });
  test('retention keeps slots of members seen within member_slots_ttl', () => {
    assert.deepEqual(
      retainedSlots(
        new Map([
          ['a', 1000],
          ['b', 9000],
        ]),
        10_000,
        5,
      ),
      ['b'],
    );
  });
});

describe('permanent slots and ignore_slots', () => {
  const cfg = buildDynamicConfig({
    slots: { keep_me: null, logi: { type: 'logical', database: 'postgres', plugin: 'test_decoding' }, 'Bad-Name': {} },
    ignore_slots: [{ name: 'foreign' }, { type: 'logical', plugin: 'pgoutput' }],
  });
  test('valid names only; an empty value is physical', () => {
    assert.deepEqual(permanentSlots(cfg, 150000), [
      { name: 'keep_me', type: 'physical' },
      { name: 'logi', type: 'logical', database: 'postgres', plugin: 'test_decoding' },
    ]);
  });
  test('matchers ignore a slot when all their keys match', () => {
    assert.equal(isIgnored(phys('foreign'), cfg), true);
    assert.equal(isIgnored({ name: 'x', type: 'logical', database: 'd', plugin: 'pgoutput' }, cfg), true);
    assert.equal(isIgnored({ name: 'x', type: 'logical', database: 'd', plugin: 'wal2json' }, cfg), false);
  });
  test('plan: create missing member and permanent slots, drop unknown ones, never ignored ones', () => {
    const existing = [phys('node9'), phys('foreign'), { name: 'stray', type: 'logical' as const, database: 'postgres', plugin: 'wal2json' }];
    const plan = planSlots(existing, ['node2'], permanentSlots(cfg, 150000), 'primary', cfg);
    assert.deepEqual(plan.createPhysical, ['keep_me', 'node2']);
    assert.deepEqual(
      plan.createLogical.map((l) => l.name),
      ['logi'],
    );
    assert.deepEqual(plan.drop, ['node9', 'stray']);
  });
  test('replicas never create logical slots', () => {
    assert.deepEqual(planSlots([], [], permanentSlots(cfg, 150000), 'replica', cfg).createLogical, []);
  });
});

describe('logical slot copies on replicas', () => {
  const cfg = buildDynamicConfig({ slots: { keep_me: null, logi: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } } });
  const names = (role: 'primary' | 'replica' | 'standby_leader', tags = {}) => permanentSlotsFor(cfg, 150000, role, tags).map((p) => p.name);
  test('a replica that may be promoted keeps them; a nofailover replica and a standby leader do not', () => {
    assert.deepEqual(names('primary'), ['keep_me', 'logi']);
    assert.deepEqual(names('replica'), ['keep_me', 'logi']);
    assert.deepEqual(names('replica', { nofailover: true }), ['keep_me']);
    assert.deepEqual(names('standby_leader'), ['keep_me']);
  });
  test('a copy on a replica is kept, one on a nofailover replica dropped', () => {
    const copy = { name: 'logi', type: 'logical' as const, database: 'postgres', plugin: 'test_decoding' };
    assert.deepEqual(planSlots([copy], [], permanentSlotsFor(cfg, 150000, 'replica', {}), 'replica', cfg).drop, []);
    assert.deepEqual(planSlots([copy], [], permanentSlotsFor(cfg, 150000, 'replica', { nofailover: true }), 'replica', cfg).drop, ['logi']);
  });
  test('hot_standby_feedback is needed where copies may live (PG11+, use_slots)', () => {
    assert.equal(needsHotStandbyFeedback(cfg, {}, 150000), true);
    assert.equal(needsHotStandbyFeedback(cfg, { nofailover: true }, 150000), false);
    assert.equal(needsHotStandbyFeedback(cfg, {}, 100000), false);
    assert.equal(needsHotStandbyFeedback(buildDynamicConfig({ slots: { keep_me: null } }), {}, 150000), false);
    assert.equal(needsHotStandbyFeedback(buildDynamicConfig({ slots: cfg.raw.slots ?? null, postgresql: { use_slots: false } }), {}, 150000), false);
  });
});
