// The executor performs a decision and judges nothing: actions in order, the branch the attempt's
// outcome picks, memory only through set_memory, the async slot, and the leaf's leadership.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attempt, plan, setMemory, type AsyncTask, type Decision } from '../../../src/ha/core/decision.js';
import { INITIAL_MEMORY, type AsyncOutcome, type HaMemory } from '../../../src/ha/core/input.js';
import { withLeadership } from '../../../src/ha/core/leadership.js';
import { AsyncRunner } from '../../../src/ha/shell/async-runner.js';
import { execute, type ExecutorDeps } from '../../../src/ha/shell/executor.js';
import { fakeDcs, fakePg, type DcsAnswers } from '../../support/ha/fakes.js';
import { cluster, pgRunning, primary } from './fixtures.js';

const PROMOTE: AsyncTask = { kind: 'promote', name: 'promote' };

function world(answers: DcsAnswers = {}, seenOutcome: AsyncOutcome | null = null) {
  const calls: string[] = [];
  const memory: HaMemory = { ...INITIAL_MEMORY, role: 'replica' };
  const runner = new AsyncRunner(
    () => undefined,
    () => 42,
  );
  let release: (ok: boolean) => void = () => undefined;
  const deps: ExecutorDeps = {
    dcs: fakeDcs(calls, answers),
    pg: fakePg(calls, () => pgRunning(primary())),
    runner,
    memory,
    seenOutcome,
    cluster: cluster({ leader: 'node1' }),
    walLsn: () => 100,
    slotStatus: () => null,
    touchMember: async () => {
      calls.push('touchMember');
    },
    localDynamicConfig: () => '{"ttl":30}',
    updateHistory: async () => {
      calls.push('updateHistory');
    },
    syncSlots: async (m) => {
      calls.push('syncSlots');
      return m;
    },
    syncReplication: async () => {
      calls.push('syncReplication');
    },
    claimSync: async () => {
      calls.push('claimSync');
      return true;
    },
    watchdog: {
      activate: () => {
        calls.push('watchdog.activate');
        return true;
      },
      disable: () => {
        calls.push('watchdog.disable');
      },
      keepalive: () => {
        calls.push('watchdog.keepalive');
      },
    },
    failsafeKey: () => ({}),
    failsafeCheck: async () => {
      calls.push('failsafeCheck');
      return true;
    },
    failsafeKept: () => {
      calls.push('failsafeKept');
    },
    runTask: (task) => {
      calls.push(`runTask ${task.name}`);
      return new Promise<boolean>((r) => {
        release = r;
      });
    },
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  return { deps, calls, memory, runner, finish: (ok: boolean) => release(ok) };
}

describe('execute()', () => {
  const keepOrDemote = withLeadership(
    attempt(
      'update_leader',
      plan('kept', setMemory({ role: 'primary' }), { type: 'sync_replication' }),
      plan('lost', setMemory({ role: 'demoted' }), { type: 'stop_postgres', mode: 'immediate' }),
    ),
    true,
  );

  test('actions in order, then the success branch of an attempt that succeeded', async () => {
    const w = world();
    const r = await execute(keepOrDemote, w.deps);
    assert.deepEqual(w.calls, ['updateLeader 100', 'watchdog.keepalive', 'syncReplication']);
    assert.deepEqual(r, {
      message: 'kept',
      attempts: [{ attempt: 'update_leader', ok: true }],
      leaderHeld: true,
      steps: ['update_leader: ok', 'sync_replication'],
    });
    assert.equal(w.memory.role, 'primary');
  });

  test("the failure branch when the attempt failed; leadership is the leaf's", async () => {
    const w = world({ updateLeader: async () => false });
    const r = await execute(keepOrDemote, w.deps);
    assert.deepEqual(w.calls, ['updateLeader 100', 'stop immediate']);
    assert.deepEqual(r, {
      message: 'lost',
      attempts: [{ attempt: 'update_leader', ok: false }],
      leaderHeld: false,
      steps: ['update_leader: failed', 'stop_postgres: immediate'],
    });
    assert.equal(w.memory.role, 'demoted');
  });

  test('a decision that deletes the leader key leaves the node not leader', async () => {
    const w = world();
    const r = await execute(withLeadership(plan('released', { type: 'delete_leader' }), true), w.deps);
    assert.deepEqual(w.calls, ['deleteLeader node1']);
    assert.equal(r.leaderHeld, false);
  });

  test('run_async starts the task on the runner; a busy runner refuses the next one', async () => {
    const w = world();
    await execute(plan('promoting', { type: 'run_async', task: PROMOTE }), w.deps);
    assert.deepEqual(w.runner.current, { task: PROMOTE, startedAt: 42 });
    await execute(plan('again', { type: 'run_async', task: { kind: 'restart', name: 'restart', role: 'primary', upstream: null } }), w.deps);
    assert.deepEqual(w.calls, ['runTask promote'], 'the second task did not run');
    w.finish(true);
    await w.runner.wait(1000);
    assert.deepEqual(w.runner.outcome, { task: PROMOTE, ok: true });
  });

  test('inlineWhenBusy runs the task inside the cycle when the runner is busy', async () => {
    const w = world();
    await execute(plan('promoting', { type: 'run_async', task: PROMOTE }), w.deps);
    const demote: AsyncTask = { kind: 'demote', name: 'demoting self', mode: 'offline' };
    const inline = execute(plan('demoted', { type: 'run_async', task: demote, inlineWhenBusy: 'busy, demoting inline' }), w.deps);
    w.finish(true);
    await inline;
    assert.deepEqual(w.calls, ['runTask promote', 'runTask demoting self']);
  });

  test('forget_async_outcome drops the outcome the decision saw, never a newer one', async () => {
    const w = world();
    await execute(plan('p', { type: 'run_async', task: PROMOTE }), w.deps);
    w.finish(false);
    await w.runner.wait(1000);
    const seen = w.runner.outcome;
    assert.ok(seen);
    await execute(plan('forget', { type: 'forget_async_outcome' }), { ...w.deps, seenOutcome: { task: PROMOTE, ok: false } });
    assert.equal(w.runner.outcome, seen, 'an equal but different outcome is not the one seen');
    await execute(plan('forget', { type: 'forget_async_outcome' }), { ...w.deps, seenOutcome: seen });
    assert.equal(w.runner.outcome, null);
  });

  test('without a cluster (DCS unreachable) the lock cannot be refreshed', async () => {
    const w = world();
    const d: Decision = withLeadership(attempt('update_leader', plan('kept'), plan('lost')), true);
    const r = await execute(d, { ...w.deps, cluster: null });
    assert.deepEqual([r.message, r.leaderHeld, w.calls], ['lost', false, []]);
  });

  test("sync_slots hands the decision's view to the slot step (the failsafe view without the DCS)", async () => {
    const w = world();
    const views: (string | null | undefined)[] = [];
    const view = cluster({ leader: 'node3' });
    const syncSlots: ExecutorDeps['syncSlots'] = async (m, v) => {
      views.push(v === undefined ? undefined : (v.leader?.name ?? null));
      return m;
    };
    await execute(plan('DCS is not accessible', { type: 'sync_slots', view }, { type: 'sync_slots' }), { ...w.deps, cluster: null, syncSlots });
    assert.deepEqual(views, ['node3', undefined]);
  });
});
