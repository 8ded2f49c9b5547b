// Which callback a PostgreSQL operation fires, as Patroni's Postgresql object decides it
// (call_nowait, start, stop, restart, reload, follow, promote), as a pure state machine: the
// controller feeds it events and runs the callbacks it returns.
import type { CallbackAction, CallbackRole } from '../scripts/commands.js';

/** Patroni's PostgresqlRole, including the transient `promoted`. */
export type PgRole = CallbackRole | 'promoted';

export interface CallbackState {
  role: PgRole;
  /** Patroni's cb_called: on_start/on_stop/on_restart/on_role_change fired at least once. */
  called: boolean;
  /** What the end of the current start fires; `noop` when a role change will be announced instead. */
  pending: CallbackAction | 'noop' | null;
  /** No callbacks while a new cluster is bootstrapped (Postgresql.bootstrapping). */
  bootstrapping: boolean;
}

export interface Fire {
  action: CallbackAction;
  role: CallbackRole;
}
export interface Step {
  state: CallbackState;
  fire: Fire | null;
}

export const initialCallbackState = (role: PgRole): CallbackState => ({ role, called: false, pending: null, bootstrapping: false });

/** Postgresql.call_nowait. */
export function fire(s: CallbackState, action: CallbackAction | 'noop'): Step {
  if (s.bootstrapping || action === 'noop') return { state: s, fire: null };
  const state = action === 'on_reload' ? s : { ...s, called: true };
  return { state, fire: { action, role: s.role === 'promoted' ? 'primary' : s.role } };
}

/** Postgresql.start: remember on_start unless the caller announces something else. */
export function startRequested(s: CallbackState, role: PgRole, blockCallbacks: boolean): CallbackState {
  return { ...s, role, pending: blockCallbacks ? s.pending : 'on_start' };
}

/** check_startup_state_changed: the server accepts connections. */
export function started(s: CallbackState): Step {
  const step = fire(s, s.pending ?? 'on_start');
  return { state: { ...step.state, pending: null }, fire: step.fire };
}

/** Postgresql.stop: on_stop when a running postmaster was signalled (not inside a restart). */
export function stopped(s: CallbackState, signalled: boolean, blockCallbacks: boolean): Step {
  return !blockCallbacks && signalled ? fire(s, 'on_stop') : { state: s, fire: null };
}

/** Postgresql.restart: the start that follows fires on_restart. */
export function restartRequested(s: CallbackState, blockCallbacks: boolean): CallbackState {
  return blockCallbacks ? s : { ...s, pending: 'on_restart' };
}

/** Postgresql.reload. */
export function reloaded(s: CallbackState, blockCallbacks: boolean): Step {
  return blockCallbacks ? { state: s, fire: null } : fire(s, 'on_reload');
}

/**
 * Postgresql.follow: a demoted primary, or a replica becoming standby leader (or back), announces
 * on_role_change instead of on_start/on_restart, once callbacks have fired before.
 */
export function followChangesRole(s: CallbackState, role: 'replica' | 'standby_leader'): boolean {
  if (!s.called) return false;
  if (s.role === 'primary' || s.role === 'demoted') return true;
  const both = new Set<PgRole>([s.role, role]);
  return both.has('replica') && both.has('standby_leader');
}

/** Postgresql.promote after `pg_ctl promote` succeeded. */
export function promoted(s: CallbackState): Step {
  return fire({ ...s, role: 'promoted' }, 'on_role_change');
}

export function setRole(s: CallbackState, role: PgRole): CallbackState {
  return { ...s, role };
}
