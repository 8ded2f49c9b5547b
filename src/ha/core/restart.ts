// Restart requests (REST /restart, patronictl restart, scheduled restarts; Patroni's Ha.restart_scheduled):
// the conditions that must hold, and the scheduled restart's place in the cycle.
import type { MemberRole } from '../../dcs/cluster.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import { postgresVersionToInt } from '../../postgresql/version.js';
import { plan, setMemory, type Action, type AsyncTask, type Decision } from './decision.js';
import type { HaInput, HaMemory } from './input.js';
import { scheduledAction } from './scheduled.js';
import { nodeToFollow } from './upstream.js';

export type RestartRole = 'primary' | 'standby_leader' | 'replica';

/** POST /restart's filters (Patroni's restart_matches), for a restart now or at its scheduled time. */
export interface RestartFilters {
  /** Only restart when our role is this one. */
  role?: RestartRole;
  /** `X.Y` (>= 10) or `X.Y.Z`: only restart when the running server is older. */
  postgresVersion?: string;
  timeoutSeconds?: number;
  /** The body named `restart_pending`: only restart when a parameter change is pending a restart. */
  restartPending: boolean;
}

/** A restart requested for later, as POST /restart parsed it. */
export interface RestartSchedule extends RestartFilters {
  at: Date;
  /** Python isoformat of the requested time, offset kept (shown in /patroni and the member key). */
  atIso: string;
}

/** A scheduled restart as this node remembers it (HaMemory.scheduledRestart). */
export interface ScheduledRestart extends RestartSchedule {
  /** The postmaster start time when it was scheduled: a restart since then cancels it. */
  postmasterStartTime: string | null;
}

export interface RestartFacts {
  /** Patroni's role of this node: primary, replica, standby_leader... */
  role: string;
  /** server_version as an int (e.g. 150004); 0 when unknown. */
  serverVersion: number;
  pendingRestart: boolean;
}

/** Null when every filter holds (Patroni's restart_matches); else which one does not. */
export function restartBlocked(f: RestartFilters, facts: RestartFacts): string | null {
  if (f.role && f.role !== facts.role) return `role ${facts.role} is not ${f.role}`;
  if (f.postgresVersion && postgresVersionToInt(f.postgresVersion) <= facts.serverVersion) {
    return `server version ${facts.serverVersion} is not older than ${f.postgresVersion}`;
  }
  if (f.restartPending && !facts.pendingRestart) return 'no restart is pending';
  return null;
}

const factsOf = (role: MemberRole, pg: PostgresSnapshot): RestartFacts => ({
  role: role === 'promoted' ? 'primary' : role,
  serverVersion: pg.server?.serverVersion ?? 0,
  pendingRestart: Object.keys(pg.server?.pendingRestart ?? {}).length > 0,
});

/** Remember a restart for later (POST /restart with `schedule`); null when one is already scheduled. */
export function scheduleRestart(memory: HaMemory, r: RestartSchedule, pg: PostgresSnapshot | null): Decision | null {
  if (memory.scheduledRestart) return null;
  return plan('', setMemory({ scheduledRestart: { ...r, postmasterStartTime: pg?.server?.postmasterStartTime ?? null } }));
}

/** Forget the scheduled restart (DELETE /restart); null when none was scheduled. */
export function cancelScheduledRestart(memory: HaMemory): Decision | null {
  return memory.scheduledRestart ? plan('', setMemory({ scheduledRestart: null })) : null;
}

/** The restart task for this node's current role: replicas keep following their upstream. */
export function restartTask(input: Pick<HaInput, 'cluster' | 'me' | 'memory' | 'pg'>): AsyncTask {
  const primary = !!input.pg.server && !input.pg.server.inRecovery;
  return primary
    ? { kind: 'restart', name: 'restart', role: 'primary', upstream: null }
    : {
        kind: 'restart',
        name: 'restart',
        role: input.memory.role === 'standby_leader' ? 'standby_leader' : 'replica',
        upstream: nodeToFollow(input.cluster, input.me.name, input.me.tags),
      };
}

/** A due scheduled restart: actions and the message that replaces the cycle's, or null. */
export function scheduledRestart(input: HaInput): { actions: Action[]; message: string } | null {
  const sr = input.memory.scheduledRestart;
  if (!sr) return null;
  const v = scheduledAction('restart', sr.at, input.now, input.config.loop_wait, input.config.pause);
  const clear: Action = { type: 'set_memory', patch: { scheduledRestart: null } };
  if (!v.run) return v.stale ? { actions: [...v.actions, clear], message: '' } : v.actions.length ? { actions: v.actions, message: '' } : null;
  const start = input.pg.server?.postmasterStartTime ?? null;
  if (sr.postmasterStartTime && start && sr.postmasterStartTime !== start) {
    return { actions: [{ type: 'log', level: 'info', message: 'Cancelling scheduled restart: postgres restart has already happened' }, clear], message: '' };
  }
  if (restartBlocked(sr, factsOf(input.memory.role, input.pg))) {
    return { actions: [...v.actions, clear], message: 'restart conditions are not satisfied' };
  }
  return { actions: [...v.actions, clear, { type: 'run_async', task: restartTask(input) }], message: 'restart initiated' };
}
