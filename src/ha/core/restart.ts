// Restart requests (REST /restart, patronictl restart, scheduled restarts; ha-loop.md §9.1):
// the conditions that must hold, and the scheduled restart's place in the cycle.
import type { MemberRole } from '../../dcs/cluster.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import type { Action, AsyncTask } from './decision.js';
import type { HaInput } from './input.js';
import { scheduledAction } from './scheduled.js';
import { nodeToFollow } from './upstream.js';

export interface RestartFilters {
  /** Only restart when our role is this one. */
  role?: 'primary' | 'replica' | 'standby_leader';
  /** Only restart when the running server is older than this (server_version_num, e.g. 150004). */
  postgresVersionNum?: number;
  /** Only restart when a parameter change is pending a restart. */
  restartPending: boolean;
}

export interface ScheduledRestart extends RestartFilters {
  at: Date;
  /** The postmaster start time when it was scheduled: a restart since then cancels it. */
  postmasterStartTime: string | null;
}

/** Null when the request may proceed; else why not (the caller answers `restart conditions are not satisfied`). */
export function restartBlocked(req: RestartFilters, role: MemberRole, pg: PostgresSnapshot): string | null {
  if (req.role && req.role !== (role === 'promoted' ? 'primary' : role)) return `role ${role} is not ${req.role}`;
  const version = pg.server?.serverVersion ?? 0;
  if (req.postgresVersionNum !== undefined && version >= req.postgresVersionNum) return `server version ${version} is not older than ${req.postgresVersionNum}`;
  if (req.restartPending && Object.keys(pg.server?.pendingRestart ?? {}).length === 0) return 'no restart is pending';
  return null;
}

/** The restart task for this node's current role: replicas keep following their upstream. */
export function restartTask(input: Pick<HaInput, 'cluster' | 'me' | 'memory' | 'pg'>): AsyncTask {
  const primary = !!input.pg.server && !input.pg.server.inRecovery;
  return primary
    ? { kind: 'restart', name: 'restart', role: 'primary', upstream: null }
    : { kind: 'restart', name: 'restart', role: input.memory.role === 'standby_leader' ? 'standby_leader' : 'replica', upstream: nodeToFollow(input.cluster, input.me.name, input.me.tags) };
}

/** A due scheduled restart: actions and the message that replaces the cycle's, or null. */
export function scheduledRestart(input: HaInput): { actions: Action[]; message: string } | null {
  const sr = input.memory.scheduledRestart;
  if (!sr) return null;
  const v = scheduledAction('restart', sr.at, input.now, input.config.loop_wait, input.config.pause);
  const clear: Action = { type: 'set_memory', patch: { scheduledRestart: null } };
  if (!v.run) return v.stale ? { actions: [...v.actions, clear], message: '' } : (v.actions.length ? { actions: v.actions, message: '' } : null);
  const start = input.pg.server?.postmasterStartTime ?? null;
  if (sr.postmasterStartTime && start && sr.postmasterStartTime !== start) {
    return { actions: [{ type: 'log', level: 'info', message: 'Cancelling scheduled restart: postgres restart has already happened' }, clear], message: '' };
  }
  if (restartBlocked(sr, input.memory.role, input.pg)) {
    return { actions: [...v.actions, clear], message: 'restart conditions are not satisfied' };
  }
  return { actions: [...v.actions, clear, { type: 'run_async', task: restartTask(input) }], message: 'restart initiated' };
}
