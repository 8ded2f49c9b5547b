// The REST API's write actions carried out on this node: each goes through the HA loop's async slot
// so a restart or reinitialize never races the cycle.
import type { ApiActions, FailsafeOutcome, ReinitializeOutcome, RestartOutcome } from '../api/context.js';
import { cancelScheduledRestart, restartTask, scheduleRestart, type RestartSchedule } from '../ha/core/restart.js';
import { upstreamOf } from '../ha/core/upstream.js';
import { cloneSource } from '../ha/core/bootstrap.js';
import { log } from '../log/logger.js';
import type { HaNode } from './node.js';
import type { FailsafeHeartbeat } from '../ha/core/failsafe.js';

export function nodeActions(node: HaNode): ApiActions {
  return {
    async restart({ timeoutSeconds }): Promise<RestartOutcome> {
      const snapshot = node.snapshot;
      const cluster = node.cluster;
      if (!snapshot || !cluster) return { kind: 'failed' };
      const task = restartTask({ cluster, me: node.identityNow(), memory: node.memory, pg: snapshot });
      const busy = node.startTask(task);
      if (busy) return { kind: 'busy', action: busy };
      const result = await node.waitTask((timeoutSeconds ?? node.dynamic.primary_start_timeout) * 1000);
      if (result === 'timeout') return { kind: 'still_starting' };
      return result ? { kind: 'restarted' } : { kind: 'failed' };
    },

    scheduleRestart(r: RestartSchedule): boolean {
      const d = scheduleRestart(node.memory, r, node.snapshot);
      if (!d) return false;
      node.remember(d);
      node.touchMember().catch((e: unknown) => log.error('Failed to update member key: %s', String(e)));
      return true;
    },

    deleteScheduledRestart(): boolean {
      const d = cancelScheduledRestart(node.memory);
      if (!d) return false;
      node.remember(d);
      node.touchMember().catch((e: unknown) => log.error('Failed to update member key: %s', String(e)));
      return true;
    },

    reload(): void {
      node.requestReload();
    },

    async reinitialize({ force, fromLeader }): Promise<ReinitializeOutcome> {
      const cluster = await node.freshCluster();
      if (!cluster.leader) return { kind: 'no_leader' };
      if (cluster.leader.name === node.name) return { kind: 'is_leader' };
      // Ha._do_reinitialize: from_leader clones from the leader, otherwise from the clone member.
      const leaderMember = cluster.leader.member ?? cluster.members.find((m) => m.name === cluster.leader!.name);
      const from = upstreamOf(fromLeader ? leaderMember : (cloneSource(cluster, node.name, Date.now())?.member ?? leaderMember));
      if (!from) return { kind: 'no_leader' };
      // Ha.reinitialize: `force` cancels the running task (its scripts and tools are killed) first.
      if (force && node.cancelTask()) await node.waitTask(node.dynamic.loop_wait * 1000);
      const busy = node.startTask({ kind: 'reinitialize', name: 'reinitialize', from, methods: node.identityNow().replicaMethods });
      return busy ? { kind: 'busy', action: busy } : { kind: 'started' };
    },

    failsafeHeartbeat(leader: FailsafeHeartbeat): FailsafeOutcome {
      const s = node.snapshot?.server;
      if (s && !s.inRecovery && node.snapshot?.state === 'running') return { kind: 'running_as_leader' };
      // Failsafe.update: this leader counts as present for ttl seconds (see withFailsafeLeader).
      node.failsafeSeen = { at: Date.now(), leader };
      return { kind: 'accepted', lsn: s?.walLsn ?? null };
    },
  };
}
