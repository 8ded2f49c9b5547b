// A node that must not lead: demote if it runs as primary, otherwise point replication at the
// right upstream (Patroni's Ha.follow), rewinding first when its timeline forked from the leader's.
import { nostream } from '../../config/tags.js';
import { plan, setMemory, type Decision, type Reason } from './decision.js';
import type { HaInput } from './input.js';
import { divergence } from './diverged.js';
import { followTarget } from './standby.js';
import { nodeToFollow } from './upstream.js';

/** `asLeader`: the lock was taken this cycle (standby cluster: follow the remote primary as standby leader). */
export function follow(input: HaInput, demoteReason: string, followReason: string, asLeader = false): Decision {
  const { pg, config, me } = input;
  const { upstream, role } = followTarget(input, asLeader);

  if (config.pause) {
    if (pg.server && !pg.server.inRecovery) return plan('continue to run as primary without lock');
    const msg = upstream ? followReason : `no action. I am (${me.name})`;
    return plan(msg, ...(input.memory.role === 'standby_leader' ? [] : [setMemory({ role: 'replica' })]));
  }

  if (pg.server && !pg.server.inRecovery) {
    // A primary whose cluster became a standby cluster keeps the lock and turns into its standby leader.
    if (role === 'standby_leader') {
      return plan(demoteReason, {
        type: 'run_async',
        task: { kind: 'demote', name: 'demoting to a standby cluster', mode: 'demote-cluster', follow: upstream },
      });
    }
    return plan(demoteReason, setMemory({ role: 'demoted' }), {
      type: 'run_async',
      task: { kind: 'demote', name: 'demote', mode: 'immediate-nolock' },
    });
  }

  // The standby leader's history comes from the remote cluster: nothing in ours to compare with.
  const rewind = role === 'standby_leader' ? null : rewindIfDiverged(input);
  if (rewind) return rewind;

  const actions = [setMemory({ role })];
  // A standby leader fed only by restore_command, and a nostream member, follow nobody: their
  // primary_conninfo must go (Ha.follow rewrites recovery settings for _get_node_to_follow, None or not).
  if (pg.server && (upstream || role === 'standby_leader' || nostream(me.tags))) actions.push({ type: 'follow', upstream, role });
  return plan(followReason, ...actions);
}

/**
 * Our history forked from the leader's: bring the data directory back with pg_rewind before
 * following (Ha._handle_rewind_or_reinitialize, Rewind.execute). Without use_pg_rewind, or after a failed rewind, say so and wait.
 */
export function rewindIfDiverged(input: HaInput): Decision | null {
  const { pg, cluster, me, memory } = input;
  const d = divergence(input);
  if (d.kind === 'same_history') return null;
  const upstream = nodeToFollow(cluster, me.name, me.tags);
  const leaderName = cluster.leader?.name ?? '';
  if (!upstream) return null;
  const reason: Reason = { member: me.name, eligible: false, code: 'diverged', why: `diverged from the leader: ${d.why}` };
  // Cloning again is allowed only where the config says a diverged data directory may go.
  const mayReclone = memory.rewindFailed ? me.removeDataDirOnRewindFailure : me.removeDataDirOnDivergedTimelines;
  if ((!me.usePgRewind || memory.rewindFailed) && mayReclone) {
    return {
      ...plan('reinitializing due to diverged timelines', setMemory({ rewindFailed: false }), {
        type: 'run_async',
        task: { kind: 'reinitialize', name: 'reinitialize', from: upstream, methods: me.replicaMethods },
      }),
      reasons: [reason],
    };
  }
  if (!me.usePgRewind || memory.rewindFailed) {
    const why = memory.rewindFailed ? 'pg_rewind failed earlier' : 'use_pg_rewind is off';
    return { ...plan(`${pg.server ? 'continue' : 'not starting'} to avoid divergence from ${leaderName}: ${why}`), reasons: [reason] };
  }
  if (cluster.leader?.member?.data.checkpoint_after_promote === false) {
    return { ...plan(`waiting for ${leaderName} to checkpoint after promote before pg_rewind`), reasons: [reason] };
  }
  return {
    ...plan(`running pg_rewind from ${leaderName}`, {
      type: 'run_async',
      task: { kind: 'rewind', name: `running pg_rewind from ${leaderName}`, from: upstream, then: { role: 'replica', upstream } },
    }),
    reasons: [reason],
  };
}
