// A node that must not lead: demote if it runs as primary, otherwise point replication at the
// right upstream (ha-loop.md §4.4), rewinding first when its timeline forked from the leader's.
import { plan, setMemory, type Decision } from './decision.js';
import type { HaInput } from './input.js';
import { myTimeline } from './healthiest.js';
import { nodeToFollow } from './upstream.js';

export function follow(input: HaInput, demoteReason: string, followReason: string): Decision {
  const { pg, config, cluster, me } = input;
  const upstream = nodeToFollow(cluster, me.name, me.tags);

  if (config.pause) {
    if (pg.server && !pg.server.inRecovery) return plan('continue to run as primary without lock');
    const msg = upstream ? followReason : `no action. I am (${me.name})`;
    return plan(msg, setMemory({ role: 'replica' }));
  }

  if (pg.server && !pg.server.inRecovery) {
    return plan(demoteReason, {
      type: 'run_async', task: { kind: 'demote', name: 'demote', mode: 'immediate-nolock' },
    });
  }

  const rewind = rewindIfDiverged(input);
  if (rewind) return rewind;

  const actions = [setMemory({ role: 'replica' })];
  if (pg.server && upstream) actions.push({ type: 'follow', upstream, role: 'replica' });
  return plan(followReason, ...actions);
}

/**
 * A stopped former primary whose timeline is behind the leader's forked from it: bring it back
 * with pg_rewind (ha-loop.md §7.2). Replicas on an older timeline follow the switch by streaming
 * (recovery_target_timeline = latest) and need no rewind.
 */
export function rewindIfDiverged(input: HaInput): Decision | null {
  const { pg, cluster, me, memory } = input;
  if (pg.server || pg.dataDir.kind !== 'present' || !pg.dataDir.controlData) return null;
  const leader = cluster.leader;
  if (!leader || leader.name === me.name) return null;
  const upstream = nodeToFollow(cluster, me.name, me.tags);
  if (!upstream) return null;
  const leaderTl = leader.member?.data.timeline;
  const localTl = myTimeline(input);
  const state = pg.dataDir.controlData.clusterState;
  const wasPrimary = state === 'in production' || state === 'shut down' || state === 'shutting down';
  if (!wasPrimary || leaderTl === undefined || localTl === null || localTl >= leaderTl) return null;
  if (!me.usePgRewind || memory.rewindFailed) return null;
  return plan(`running pg_rewind from ${leader.name}`, {
    type: 'run_async',
    task: { kind: 'rewind', name: `running pg_rewind from ${leader.name}`, from: upstream, then: { role: 'replica', upstream } },
  });
}
