// The cycle runner (src/ha/shell/cycle.ts) with a fake world: what it reads, that an unreachable DCS
// (on read or on write) becomes decide()'s input, and that the runner's outcome reaches the decision.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Cluster } from '../../../src/dcs/cluster.js';
import { DcsError } from '../../../src/dcs/dcs.js';
import { DCS_DEMOTE_TASK_NAME } from '../../../src/ha/core/dcs-lost.js';
import type { AsyncTask } from '../../../src/ha/core/decision.js';
import { INITIAL_MEMORY, type HaMemory, type PeerStatus } from '../../../src/ha/core/input.js';
import { AsyncRunner } from '../../../src/ha/shell/async-runner.js';
import { runCycle, type CycleWorld } from '../../../src/ha/shell/cycle.js';
import type { PostgresSnapshot } from '../../../src/postgresql/snapshot.js';
import { fakeDcs, fakePg, type DcsAnswers } from '../../support/ha/fakes.js';
import { cluster, input, peer, pgRunning, primary, server } from './fixtures.js';

function world(opts: { cluster: () => Promise<Cluster>; pg: PostgresSnapshot; me?: string; dcs?: DcsAnswers; peers?: PeerStatus[] }) {
  const calls: string[] = [];
  const memory: HaMemory = { ...INITIAL_MEMORY, role: 'replica' };
  const runner = new AsyncRunner(
    () => undefined,
    () => 7,
  );
  const tasks: AsyncTask[] = [];
  const dcs = fakeDcs(calls, { getCluster: opts.cluster, ...opts.dcs });
  const pg = fakePg(calls, () => opts.pg);
  let last: PostgresSnapshot | null = opts.pg;
  const base = input({ me: opts.me ?? 'node2' });
  const w: CycleWorld = {
    now: () => base.now,
    identity: () => base.me,
    config: () => base.config,
    memory,
    runner,
    readCluster: () => dcs.getCluster(),
    onCluster: () => {
      calls.push('onCluster');
    },
    snapshot: async () => {
      calls.push('snapshot');
      last = opts.pg;
      return opts.pg;
    },
    lastSnapshot: () => last,
    probePeers: async () => {
      calls.push('probePeers');
      return opts.peers ?? [];
    },
    localSlots: async () => {
      calls.push('localSlots');
      return [];
    },
    executorDeps: (c, s, seenOutcome) => ({
      dcs,
      pg,
      runner,
      memory,
      seenOutcome,
      cluster: c,
      walLsn: () => s?.server?.walLsn,
      slotStatus: () => null,
      touchMember: async () => undefined,
      localDynamicConfig: () => '{}',
      updateHistory: async () => undefined,
      syncSlots: async (m) => m,
      syncReplication: async () => undefined,
      claimSync: async () => true,
      runTask: async (task) => {
        tasks.push(task);
        return true;
      },
      exit: (code) => {
        throw new Error(`exit ${code}`);
      },
      watchdog: { activate: () => true, disable: () => undefined, keepalive: () => undefined },
      failsafeKey: () => ({}),
      failsafeCheck: async () => true,
      failsafeKept: () => undefined,
    }),
    watchdog: () => ({ mode: 'off', running: false, active: false, healthy: true }),
    lastCluster: () => null,
    failsafeSeen: () => null,
  };
  return { w, calls, memory, runner, tasks };
}

const unreachable = () => Promise.reject(new DcsError('connection refused'));

describe('runCycle()', () => {
  test('DCS unreachable on read, running primary: demote offline on the async slot, not leader', async () => {
    const { w, tasks } = world({ cluster: unreachable, pg: pgRunning(primary()), me: 'node1' });
    const r = await runCycle(w);
    assert.equal(r.cluster, null);
    assert.equal(r.executed.message, 'demoted self because DCS is not accessible and I was a leader');
    assert.equal(r.executed.leaderHeld, false);
    assert.deepEqual(tasks, [{ kind: 'demote', name: DCS_DEMOTE_TASK_NAME, mode: 'offline' }]);
    assert.equal(w.memory.role, 'demoted');
  });

  test('DCS unreachable on write (the lock refresh): the same path as a failed read', async () => {
    const { w, calls, tasks } = world({
      cluster: async () => cluster({ leader: 'node1' }),
      pg: pgRunning(primary()),
      me: 'node1',
      dcs: { updateLeader: () => Promise.reject(new DcsError('timeout')) },
    });
    const r = await runCycle(w);
    assert.deepEqual(calls.slice(0, 4), ['getCluster', 'onCluster', 'snapshot', 'updateLeader 100']);
    assert.equal(r.cluster, null);
    assert.equal(r.executed.message, 'demoted self because DCS is not accessible and I was a leader');
    assert.deepEqual(
      tasks.map((t) => t.kind),
      ['demote'],
    );
  });

  test('DCS unreachable on a replica: nothing is done', async () => {
    const { w, tasks } = world({ cluster: unreachable, pg: pgRunning(server()) });
    const r = await runCycle(w);
    assert.deepEqual([r.executed.message, r.executed.steps, tasks], ['DCS is not accessible', [], []]);
  });

  test('any other error is a bug and propagates', async () => {
    const { w } = world({ cluster: () => Promise.reject(new TypeError('boom')), pg: pgRunning(server()) });
    await assert.rejects(runCycle(w), TypeError);
  });

  test('peers are probed only when the decision may compare them', async () => {
    const healthy = world({ cluster: async () => cluster({ leader: 'node1' }), pg: pgRunning(server()) });
    await runCycle(healthy.w);
    assert.ok(!healthy.calls.includes('probePeers'));
    const race = world({ cluster: async () => cluster({}), pg: pgRunning(server()), peers: [peer('node3', 500)] });
    const r = await runCycle(race.w);
    assert.ok(race.calls.includes('probePeers'));
    assert.equal(r.executed.message, 'following a different leader because i am not the healthiest node');
  });

  test('a finished task reaches the decision once: a failed rewind is remembered, its outcome forgotten', async () => {
    const node1 = { name: 'node1', host: '127.0.0.1', port: 5432 };
    const { w, runner } = world({ cluster: async () => cluster({ leader: 'node1' }), pg: pgRunning(server()) });
    runner.run({ kind: 'rewind', name: 'running pg_rewind from node1', from: node1, then: { role: 'replica', upstream: node1 } }, async () => false);
    await runner.wait(1000);
    await runCycle(w);
    assert.equal(w.memory.rewindFailed, true);
    assert.equal(runner.outcome, null);
  });
});
