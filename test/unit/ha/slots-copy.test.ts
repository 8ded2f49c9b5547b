// Logical slots survive a failover: which copies a replica makes, the step-14 decision, the task.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import type { AsyncTask } from '../../../src/ha/core/decision.js';
import type { HaInput } from '../../../src/ha/core/input.js';
import { copyLogicalSlots, type CopyPostgres } from '../../../src/ha/shell/slots-copy-task.js';
import { copyableSlots, logicalSlotsToCopy, withSlotCopy } from '../../../src/ha/core/slots-copy.js';
import type { ExistingSlot } from '../../../src/ha/core/slots.js';
import type { PrimarySlotState } from '../../../src/postgresql/slot-copy.js';
import { cluster, input, pgRunning, primary, running, TASKS, walk } from './fixtures.js';

const SLOTS = { ls: { type: 'logical', database: 'postgres', plugin: 'test_decoding' }, phys: null };
const LS = { name: 'ls', type: 'logical' as const, database: 'postgres', plugin: 'test_decoding' };

/** node2, a replica of node1, whose leader published a position for `ls`. */
function replica(opts: { localSlots?: ExistingSlot[]; published?: Record<string, number>; tags?: Record<string, boolean> } = {}): HaInput {
  const c = cluster({ leader: 'node1' });
  c.status = { ...c.status, slots: opts.published ?? { ls: 500 } };
  return { ...input({ cluster: c, dcs: { slots: SLOTS }, ...(opts.tags ? { tags: opts.tags } : {}) }), localSlots: opts.localSlots ?? [] };
}

describe('which logical slots a replica copies', () => {
  test('a permanent logical slot missing here, with a position published by the leader', () => {
    assert.deepEqual(logicalSlotsToCopy(replica()), [LS]);
  });
  test('again when the copy here cannot decode any more (the advancer hit removed WAL)', () => {
    assert.deepEqual(
      logicalSlotsToCopy(replica({ localSlots: [{ name: 'ls', type: 'logical', database: 'postgres', plugin: 'test_decoding', needsCopy: true }] })),
      [LS],
    );
  });
  test('not when it exists here, or the leader published nothing for it yet', () => {
    assert.deepEqual(logicalSlotsToCopy(replica({ localSlots: [{ name: 'ls', type: 'logical', database: 'postgres', plugin: 'test_decoding' }] })), []);
    assert.deepEqual(logicalSlotsToCopy(replica({ published: {} })), []);
  });
  test('not on a replica that may never be promoted, nor without a slot list', () => {
    assert.deepEqual(logicalSlotsToCopy(replica({ tags: { nofailover: true } })), []);
    const { localSlots: _ignored, ...withoutList } = replica();
    assert.deepEqual(logicalSlotsToCopy(withoutList), []);
  });
  test('not on the primary', () => {
    const i = replica();
    assert.deepEqual(logicalSlotsToCopy({ ...i, me: { ...i.me, name: 'node1' }, pg: pgRunning(primary()) }), []);
  });
});

describe('step 14: copy_logical_slots', () => {
  test('a following replica starts the copy from the leader; its message replaces the cycle message', () => {
    const { message, actions } = walk(decide(replica()));
    assert.equal(message, "Copying logical slots ['ls'] from the primary");
    const run = actions.find((a) => a.type === 'run_async');
    assert.ok(run && run.type === 'run_async');
    assert.deepEqual(run.task, {
      kind: 'copy_logical_slots',
      name: 'copy_logical_slots',
      slots: [LS],
      from: { name: 'node1', host: '127.0.0.1', port: 5432 },
      upstream: { name: 'node1', host: '127.0.0.1', port: 5432 },
    });
    // Slots are synced first (a mismatching local slot is dropped before the copy).
    assert.ok(actions.findIndex((a) => a.type === 'sync_slots') < actions.indexOf(run));
  });
  test('nothing to copy: the usual message', () => {
    const { message } = walk(decide({ ...replica(), localSlots: [{ name: 'ls', type: 'logical', database: 'postgres', plugin: 'test_decoding' }] }));
    assert.equal(message, 'no action. I am (node2), a secondary, and following a leader (node1)');
  });
  test('a cycle that already started long work does not copy', () => {
    const busy = { actions: [{ type: 'run_async' as const, task: { kind: 'promote' as const, name: 'promote' as const } }], message: 'x' };
    assert.equal(withSlotCopy(replica(), busy), busy);
  });
  test('while a task runs, no copy', () => {
    const i = replica();
    assert.equal(walk(decide({ ...i, async: running(TASKS.restart) })).message, 'restart in progress');
  });
});

const state = (name: string, plugin = 'test_decoding'): PrimarySlotState => ({
  name,
  type: 'logical',
  database: 'postgres',
  plugin,
  catalogXmin: 740,
  confirmedFlushLsn: 500,
  restartLsn: 0x3000010,
  data: Buffer.from(name),
});
const MB16 = 16 * 1024 * 1024;

test('only slots matching the configured database and plugin are copied', () => {
  const { copy, mismatched } = copyableSlots([state('ls'), state('other'), { ...state('ls2'), plugin: 'pgoutput' }], [LS, { ...LS, name: 'ls2' }]);
  assert.deepEqual(
    copy.map((s) => s.name),
    ['ls'],
  );
  assert.deepEqual(
    mismatched.map((s) => s.name),
    ['ls2'],
  );
});

describe('the copy task', () => {
  const task: Extract<AsyncTask, { kind: 'copy_logical_slots' }> = {
    kind: 'copy_logical_slots',
    name: 'copy_logical_slots',
    slots: [LS],
    from: { name: 'node1', host: 'h', port: 1 },
    upstream: { name: 'node1', host: 'h', port: 1 },
  };
  interface FakeWal {
    primary?: string[];
    local?: string[];
    redo?: number | null;
    failFetch?: string[];
  }
  function fake(read: () => Promise<PrimarySlotState[]>, wal: FakeWal = {}) {
    const calls: string[] = [];
    const notReady = new Map<string, string>();
    const needsCopy = new Set<string>(['ls']);
    const pg: CopyPostgres = {
      dataDir: '/data',
      stop: async (mode) => {
        calls.push(`stop ${mode}`);
        return true;
      },
      start: async (role, up) => {
        calls.push(`start ${role} ${up?.name}`);
        return true;
      },
      slots: {
        withPrimary: async (from, fn) => {
          calls.push(`connect ${from.name}`);
          return fn({
            readSlots: async (names) => {
              calls.push(`read ${names.join(',')}`);
              return read();
            },
            listWal: async () => ({ files: wal.primary ?? [], segmentSize: MB16 }),
            fetchWal: async (name, size, dir) => {
              if (wal.failFetch?.includes(name)) throw new Error('gone');
              calls.push(`fetch ${name} ${size} ${dir}`);
            },
          });
        },
        localWal: async () => ({ files: wal.local ?? [], redoLsn: wal.redo === undefined ? 0x5000028 : wal.redo }),
        installSlots: async (dir, slots) => {
          calls.push(`install ${dir} ${slots.map((s) => s.name).join(',')}`);
        },
        notReady,
        needsCopy,
      },
    };
    return { pg, calls, notReady, needsCopy };
  }
  const seg = (n: number, tli = 1) => `${tli.toString(16).toUpperCase().padStart(8, '0')}00000000${n.toString(16).toUpperCase().padStart(8, '0')}`;
  test('reads from the primary, stops, installs, starts following again', async () => {
    const { pg, calls, notReady, needsCopy } = fake(async () => [state('ls')], { primary: [seg(3), seg(4), seg(5)], local: [seg(3), seg(4), seg(5)] });
    assert.equal(await copyLogicalSlots(pg, task), true);
    assert.deepEqual(calls, ['connect node1', 'read ls', 'stop fast', 'install /data ls', 'start replica node1']);
    assert.equal(notReady.size, 0);
    assert.equal(needsCopy.size, 0, 'a copy the advancer asked for is done');
  });
  test('WAL from the restart_lsn that the stopped replica recycled is fetched from the primary first', async () => {
    const { pg, calls, notReady } = fake(async () => [state('ls')], { primary: [seg(3), seg(4), seg(5), seg(6)], local: [seg(5), seg(6), seg(7)] });
    notReady.set('ls', 'an earlier copy missed WAL');
    assert.equal(await copyLogicalSlots(pg, task), true);
    assert.deepEqual(calls, [
      'connect node1',
      'read ls',
      'stop fast',
      `fetch ${seg(3)} ${MB16} /data`,
      `fetch ${seg(4)} ${MB16} /data`,
      'install /data ls',
      'start replica node1',
    ]);
    assert.equal(notReady.size, 0);
  });
  test('WAL that cannot be fetched: the slot is installed but kept as not ready, naming what is missing', async () => {
    const { pg, calls, notReady } = fake(async () => [state('ls')], { primary: [seg(4), seg(5)], local: [seg(5)], failFetch: [seg(4)] });
    assert.equal(await copyLogicalSlots(pg, task), true);
    assert.deepEqual(calls, ['connect node1', 'read ls', 'stop fast', 'install /data ls', 'start replica node1']);
    const why = notReady.get('ls') ?? '';
    assert.match(why, /restart_lsn 0\/3000010/);
    assert.match(why, new RegExp(`${seg(3)} \\(not on the primary either\\)`));
    assert.match(why, new RegExp(`${seg(4)} \\(gone\\)`));
  });
  test('an unreadable state file is not taken as safe', async () => {
    const { pg, notReady } = fake(async () => [{ ...state('ls'), restartLsn: null }], { primary: [seg(5)], local: [seg(5)] });
    assert.equal(await copyLogicalSlots(pg, task), true);
    assert.match(notReady.get('ls') ?? '', /restart_lsn could not be read/);
  });
  test('an unreachable primary or nothing to copy leaves PostgreSQL running', async () => {
    const down = fake(async () => {
      throw new Error('connection refused');
    });
    assert.equal(await copyLogicalSlots(down.pg, task), false);
    const none = fake(async () => [state('ls', 'pgoutput')]);
    assert.equal(await copyLogicalSlots(none.pg, task), true);
    assert.deepEqual([...down.calls, ...none.calls], ['connect node1', 'read ls', 'connect node1', 'read ls']);
  });
});
