// Divergence from the leader's history (Rewind.rewind_or_reinitialize_needed_and_possible), decided from the DCS history key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import { divergence } from '../../../src/ha/core/diverged.js';
import type { Cluster } from '../../../src/dcs/cluster.js';
import { cluster, input, pgRunning, pgStopped, server } from './fixtures.js';

/** Leader node1 on timeline 3; timeline 2 ended at LSN 1000 on the leader's side. */
function forked(): Cluster {
  const c = cluster({ leader: 'node1', leaderTimeline: 3 });
  return {
    ...c,
    history: {
      version: '1',
      lines: [
        [1, 500, 'no recovery target specified'],
        [2, 1000, 'no recovery target specified'],
      ],
    },
  };
}

function stoppedAt(state: string, checkpointLsn: number) {
  const pg = pgStopped(state, 2);
  if (pg.dataDir.kind === 'present' && pg.dataDir.controlData) pg.dataDir.controlData.checkpointLsn = checkpointLsn;
  return pg;
}

describe('divergence', () => {
  const cases: { name: string; pg: ReturnType<typeof pgStopped>; diverged: boolean }[] = [
    {
      name: 'running replica, not streaming, replayed past the switch point',
      pg: pgRunning(server({ timeline: 2, replayLsn: 1200, walLsn: 1200, replicationState: null })),
      diverged: true,
    },
    {
      name: 'streaming replica whose reported timeline lags (checkpoint timeline) is not diverged',
      pg: pgRunning(server({ timeline: 2, replayLsn: 1200, walLsn: 1200 })),
      diverged: false,
    },
    {
      name: 'running replica behind the switch point follows by streaming',
      pg: pgRunning(server({ timeline: 2, replayLsn: 900, walLsn: 900 })),
      diverged: false,
    },
    { name: 'replica already on the leader timeline', pg: pgRunning(server({ timeline: 3, replayLsn: 5000 })), diverged: false },
    { name: 'clean shutdown whose checkpoint starts before the switch point (switchover)', pg: stoppedAt('shut down', 900), diverged: false },
    { name: 'clean shutdown whose checkpoint is at the switch point', pg: stoppedAt('shut down', 1000), diverged: true },
    { name: 'crashed primary: WAL past the checkpoint is unknown', pg: stoppedAt('in production', 100), diverged: true },
    { name: 'stopped replica past the switch point', pg: stoppedAt('shut down in recovery', 1100), diverged: true },
    { name: 'stopped replica before the switch point', pg: stoppedAt('shut down in recovery', 800), diverged: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(divergence(input({ cluster: forked(), pg: c.pg })).kind, c.diverged ? 'diverged' : 'same_history');
    });
  }

  test('a diverged running replica is rewound from the leader', () => {
    const d = decide(input({ cluster: forked(), pg: pgRunning(server({ timeline: 2, replayLsn: 1200, walLsn: 1200, replicationState: null })) }));
    assert.equal(d.message, 'running pg_rewind from node1');
    assert.match(d.reasons?.[0]?.why ?? '', /past the switch point 1000/);
  });

  test('without use_pg_rewind the diverged node waits and says why', () => {
    const i = input({ cluster: forked(), pg: stoppedAt('in production', 100) });
    const d = decide({ ...i, me: { ...i.me, usePgRewind: false } });
    assert.equal(d.message, 'not starting to avoid divergence from node1: use_pg_rewind is off');
    assert.ok(!d.actions.some((a) => a.type === 'run_async'));
  });

  test('after a failed rewind, re-clones only with remove_data_directory_on_rewind_failure', () => {
    const i = input({ cluster: forked(), pg: stoppedAt('in production', 100), memory: { rewindFailed: true } });
    assert.equal(decide(i).message, 'not starting to avoid divergence from node1: pg_rewind failed earlier');
    const d = decide({ ...i, me: { ...i.me, removeDataDirOnRewindFailure: true } });
    assert.equal(d.message, 'reinitializing due to diverged timelines');
    assert.ok(d.actions.some((a) => a.type === 'run_async' && a.task.kind === 'reinitialize'));
  });

  test('without use_pg_rewind, remove_data_directory_on_diverged_timelines re-clones', () => {
    const i = input({ cluster: forked(), pg: stoppedAt('in production', 100) });
    const d = decide({ ...i, me: { ...i.me, usePgRewind: false, removeDataDirOnDivergedTimelines: true } });
    assert.equal(d.message, 'reinitializing due to diverged timelines');
  });

  test("waits for the new leader's checkpoint after promote", () => {
    const c = forked();
    c.leader!.member!.data.checkpoint_after_promote = false;
    assert.equal(decide(input({ cluster: c, pg: stoppedAt('in production', 100) })).message, 'waiting for node1 to checkpoint after promote before pg_rewind');
  });
});
