// The pure slot step, table-driven: writes, next memory and what the leader publishes, per world.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import { changesNoSlot, INITIAL_SLOT_MEMORY, slotRole, slotStatus, slotStep, type SlotObservation } from '../../../src/ha/core/slots-step.js';
import type { SlotRow } from '../../../src/postgresql/slots.js';
import { cluster, member } from './fixtures.js';

const NOW = 1_800_000_000_000;
const phys = (name: string, lsn: number | null, active = false): SlotRow => ({ name, type: 'physical', database: null, plugin: null, active, lsn });
const obs = (over: Partial<SlotObservation>): SlotObservation => ({
  cluster: cluster({ leader: 'node1' }),
  config: buildDynamicConfig({}),
  me: 'node1',
  tags: {},
  role: 'primary',
  myLsn: 1000,
  replayLsn: 1000,
  now: NOW,
  major: 150004,
  existing: [],
  ...over,
});

describe('slotStep()', () => {
  test("leader: creates its replicas' slots, drops strangers, remembers who it saw, publishes positions", () => {
    const step = slotStep(INITIAL_SLOT_MEMORY, obs({ existing: [phys('node2', 900), phys('stranger', 5)] }));
    assert.deepEqual(step.writes, { createPhysical: ['node3'], createLogical: [], drop: ['stranger'], advancePhysical: [], advanceLogical: [] });
    // AbstractDCS._build_retain_slots: the leader's own member slot is retained too.
    assert.deepEqual(step.next, { lastSeen: { node1: NOW, node2: NOW, node3: NOW } });
    assert.deepEqual(step.publish, {
      permanent: [],
      memberSlots: ['node2', 'node3'],
      mine: 'node1',
      myLsn: 1000,
      includeMine: true,
      retainSlots: ['node1', 'node2', 'node3'],
    });
    assert.deepEqual(slotStatus(step.publish!, [phys('node2', 900), phys('node3', null)]), {
      slots: { node2: 900, node1: 1000 },
      retainSlots: ['node1', 'node2', 'node3'],
    });
  });

  test('leader: a member gone from the cluster keeps its slot for member_slots_ttl, then loses it', () => {
    const gone = cluster({ leader: 'node1', members: [member('node1'), member('node2')] });
    const seen = { lastSeen: { node2: NOW, node3: NOW - 60_000 } };
    const kept = slotStep(seen, obs({ cluster: gone, existing: [phys('node2', 1), phys('node3', 1)] }));
    assert.deepEqual([kept.writes.drop, kept.publish?.retainSlots], [[], ['node1', 'node2', 'node3']]);
    const late = slotStep(seen, obs({ cluster: gone, existing: [phys('node2', 1), phys('node3', 1)], now: NOW + 1800_000 }));
    assert.deepEqual([late.writes.drop, late.publish?.retainSlots], [['node3'], ['node1', 'node2']]);
  });

  test('leader: a nostream leader is not retained; permanent physical slots never are', () => {
    const config = buildDynamicConfig({ slots: { node9: { type: 'physical' } } });
    const c = cluster({ leader: 'node1', members: [member('node1'), member('node2'), member('node9')] });
    const step = slotStep(INITIAL_SLOT_MEMORY, obs({ cluster: c, config, tags: { nostream: true } }));
    assert.deepEqual(step.publish?.retainSlots, ['node2']);
  });

  test('nostream replica: permanent physical slots only, no logical copies', () => {
    const config = buildDynamicConfig({ slots: { pp: { type: 'physical' }, ls: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } } });
    const step = slotStep(INITIAL_SLOT_MEMORY, obs({ me: 'node3', role: 'replica', config, tags: { nostream: true } }));
    assert.deepEqual(step.writes.createPhysical, ['node1', 'node2', 'pp']);
    assert.deepEqual(step.writes.advanceLogical, []);
    const promotable = slotStep(
      INITIAL_SLOT_MEMORY,
      obs({
        me: 'node3',
        role: 'replica',
        config,
        existing: [{ name: 'ls', type: 'logical', database: 'postgres', plugin: 'test_decoding', active: false, lsn: 1 }],
      }),
    );
    assert.deepEqual(promotable.writes.drop, [], 'a promotable replica keeps its logical copy');
  });

  test('replica: inactive physical copies follow the leader, never past my WAL; nothing published', () => {
    const c = cluster({ leader: 'node1' });
    c.status = { optime: 0, slots: { node1: 5000, node3: 700 }, retainSlots: [] };
    const step = slotStep(
      INITIAL_SLOT_MEMORY,
      obs({ me: 'node2', role: 'replica', cluster: c, myLsn: 1000, existing: [phys('node1', 100), phys('node3', 800), phys('busy', 10, true)] }),
    );
    assert.deepEqual(step.writes.advancePhysical, [{ name: 'node1', lsn: 1000 }]);
    assert.equal(step.publish, null);
  });

  test('replica: permanent logical copies get advance targets capped by replay', () => {
    const c = cluster({ leader: 'node1' });
    c.status = { optime: 0, slots: { ls: 900 }, retainSlots: [] };
    const config = buildDynamicConfig({ slots: { ls: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } } });
    const ls: SlotRow = { name: 'ls', type: 'logical', database: 'postgres', plugin: 'test_decoding', active: false, lsn: 100 };
    const step = slotStep(INITIAL_SLOT_MEMORY, obs({ me: 'node2', role: 'replica', cluster: c, config, myLsn: 1000, replayLsn: 700, existing: [ls] }));
    assert.deepEqual(step.writes.advanceLogical, [{ name: 'ls', database: 'postgres', lsn: 700 }]);
    assert.deepEqual(step.writes.createLogical, [], 'replicas copy logical slots, never create them');
  });

  test('before PostgreSQL 11: no positions published, no copies advanced', () => {
    assert.equal(slotStep(INITIAL_SLOT_MEMORY, obs({ major: 100000 })).publish, null);
    const replica = slotStep(INITIAL_SLOT_MEMORY, obs({ me: 'node2', role: 'replica', major: 100000, existing: [phys('node3', 1)] }));
    assert.deepEqual(replica.writes.advancePhysical, []);
  });

  test('slotRole: a running primary, else standby leader or replica', () => {
    assert.deepEqual([slotRole(false, 'replica'), slotRole(true, 'standby_leader'), slotRole(true, 'primary')], ['primary', 'standby_leader', 'replica']);
  });
});

test('changesNoSlot: only a step without drops, creations or physical advances leaves the slots as read', () => {
  const none = { createPhysical: [], createLogical: [], drop: [], advancePhysical: [], advanceLogical: [] };
  assert.equal(changesNoSlot(none), true);
  assert.equal(changesNoSlot({ ...none, advanceLogical: [{ name: 'ls', database: 'd', lsn: 1 }] }), true, 'logical advances run in the background');
  assert.equal(changesNoSlot({ ...none, drop: ['x'] }), false);
  assert.equal(changesNoSlot({ ...none, createPhysical: ['x'] }), false);
  assert.equal(changesNoSlot({ ...none, createLogical: [{ name: 'l', type: 'logical', database: 'd', plugin: 'p' }] }), false);
  assert.equal(changesNoSlot({ ...none, advancePhysical: [{ name: 'x', lsn: 1 }] }), false);
});
