// Replicas move their logical slot copies to the leader's published positions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import { logicalAdvanceTargets, needsRecopy } from '../../../src/ha/core/slots-advance.js';
import { LogicalSlotAdvancer } from '../../../src/ha/shell/slot-advancer.js';
import { SlotManager } from '../../../src/ha/shell/slots-process.js';
import { sleep } from '../../support/tmp.js';
import { cluster, member } from './fixtures.js';
import type { SlotRow } from '../../../src/postgresql/slots.js';
const phys = (name: string, lsn: number | null): SlotRow => ({ name, type: 'physical', database: null, plugin: null, active: true, lsn });

const LS = { name: 'ls', type: 'logical' as const, database: 'postgres', plugin: 'test_decoding' };
const row = (lsn: number | null, extra: Partial<SlotRow> = {}): SlotRow => ({
  name: 'ls',
  type: 'logical',
  database: 'postgres',
  plugin: 'test_decoding',
  active: false,
  lsn,
  ...extra,
});

test('advance to the published position, capped by replay, never backwards', () => {
  assert.deepEqual(logicalAdvanceTargets([row(100)], [LS], { ls: 300 }, 1000), [{ name: 'ls', database: 'postgres', lsn: 300 }]);
  assert.deepEqual(logicalAdvanceTargets([row(100)], [LS], { ls: 300 }, 200), [{ name: 'ls', database: 'postgres', lsn: 200 }]);
  assert.deepEqual(logicalAdvanceTargets([row(400)], [LS], { ls: 300 }, 1000), []);
  assert.deepEqual(logicalAdvanceTargets([row(100)], [LS], {}, 1000), []);
});

test('only configured logical copies are advanced', () => {
  assert.deepEqual(logicalAdvanceTargets([row(100, { plugin: 'pgoutput' })], [LS], { ls: 300 }, 1000), []);
  assert.deepEqual(logicalAdvanceTargets([row(100, { name: 'x' })], [LS], { x: 300 }, 1000), []);
});

test('removed WAL or an invalidated slot means copying again', () => {
  const pgError = (code: string) => Object.assign(new Error('e'), { code });
  assert.equal(needsRecopy(pgError('58P01')), true);
  assert.equal(needsRecopy(pgError('55000')), true);
  assert.equal(needsRecopy(pgError('57P01')), false);
});

test('a failed advance that needs a fresh copy marks the slot for copying, keeping it meanwhile; others are retried', async () => {
  const needsCopy = new Set<string>();
  const advanced: string[] = [];
  const advancer = new LogicalSlotAdvancer({
    needsCopy,
    advanceLogicalSlot: async (name, _db, lsn) => {
      if (name === 'gone') throw Object.assign(new Error('requested WAL segment has already been removed'), { code: '58P01' });
      if (name === 'busy') throw Object.assign(new Error('terminating'), { code: '57P01' });
      advanced.push(`${name}@${lsn}`);
    },
  });
  advancer.schedule([
    { name: 'gone', database: 'd', lsn: 1 },
    { name: 'busy', database: 'd', lsn: 1 },
    { name: 'ok', database: 'd', lsn: 7 },
  ]);
  // A second round while the first runs is skipped.
  advancer.schedule([{ name: 'ok', database: 'd', lsn: 9 }]);
  await advancer.idle();
  assert.deepEqual([...needsCopy], ['gone']);
  assert.deepEqual(advanced, ['ok@7']);
  // Until the copy replaces it, the slot is not advanced again (SlotsAdvanceThread.schedule).
  advancer.schedule([
    { name: 'gone', database: 'd', lsn: 2 },
    { name: 'ok', database: 'd', lsn: 9 },
  ]);
  await advancer.idle();
  assert.deepEqual(advanced, ['ok@7', 'ok@9']);
});

test('the slot step on a replica advances its logical copy to the leader position, capped by replay', async () => {
  const advanced: string[] = [];
  const manager = new SlotManager({
    listSlots: async () => [row(100)],
    createPhysicalSlot: async () => undefined,
    createLogicalSlot: async () => undefined,
    dropSlot: async (name) => {
      advanced.push(`drop ${name}`);
    },
    advanceSlot: async () => undefined,
    advanceLogicalSlot: async (name, db, lsn) => {
      advanced.push(`${name} ${db} ${lsn}`);
    },
    needsCopy: new Set(),
  });
  const c = cluster({ leader: 'node1' });
  c.status = { optime: 0, slots: { ls: 900 }, retainSlots: [] };
  const config = buildDynamicConfig({ slots: { ls: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } } });
  await manager.sync({ cluster: c, config, me: 'node2', tags: {}, role: 'replica', major: 150000, myLsn: 1000, replayLsn: 700, now: Date.now() });
  // The advance runs in the background: poll for it (a loaded machine may take far longer than usual).
  for (const until = Date.now() + 10_000; advanced.length === 0 && Date.now() < until; ) await sleep(10);
  assert.deepEqual(
    advanced.filter((a) => a.startsWith('ls')),
    ['ls postgres 700'],
  );
});

test('the slot step on a leader reads pg_replication_slots once when it changes nothing, again after a write', async () => {
  let reads = 0;
  const slots = [phys('node2', 900), phys('node3', 800)];
  const manager = new SlotManager({
    listSlots: async () => {
      reads++;
      return slots;
    },
    createPhysicalSlot: async (name) => {
      slots.push(phys(name, null));
    },
    createLogicalSlot: async () => undefined,
    dropSlot: async () => undefined,
    advanceSlot: async () => undefined,
    advanceLogicalSlot: async () => undefined,
    needsCopy: new Set(),
  });
  const idle = cluster({ leader: 'node1' });
  const leader = {
    config: buildDynamicConfig({}),
    me: 'node1',
    tags: {},
    role: 'primary' as const,
    major: 150000,
    myLsn: 1000,
    replayLsn: 1000,
    now: Date.now(),
  };
  await manager.sync({ ...leader, cluster: idle });
  assert.equal(reads, 1);
  assert.deepEqual(manager.status?.slots, { node2: 900, node3: 800, node1: 1000 });
  const grown = cluster({ leader: 'node1', members: [member('node1'), member('node2'), member('node3'), member('node4')] });
  await manager.sync({ ...leader, cluster: grown });
  assert.equal(reads, 3, 'created node4: read again for the published positions');
});
