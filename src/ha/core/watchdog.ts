// Where the HA cycle touches the watchdog (Ha.enforce_primary_role, Ha._run_cycle, Ha.recover): it
// is activated before this node acts as primary and disabled whenever it stops doing so. Pure; the
// device itself is driven by the executor (src/watchdog/).
import { attempt, plan, setMemory, type Action, type Decision } from './decision.js';
import type { HaInput } from './input.js';

/** Disable a running watchdog when this node no longer runs a primary it leads. */
export function watchdogHousekeeping(input: HaInput, iHaveLock: boolean): Action[] {
  const wd = input.watchdog;
  if (!wd?.running) return [];
  const s = input.pg.server;
  // A standby being promoted (role `promoted`) already counts: its watchdog was activated before promote.
  const promoting = input.memory.role === 'promoted' || input.memory.role === 'primary';
  const leadingPrimary = iHaveLock && input.pg.postmasterRunning && (!s || !s.inRecovery || promoting);
  return input.config.pause || !leadingPrimary ? [{ type: 'disable_watchdog' }] : [];
}

/**
 * Before acting as primary: activate the watchdog unless it is running; with `required` a failure
 * demotes a running primary or releases the lock instead of promoting.
 */
export function withWatchdogActivation(input: HaInput, d: Decision): Decision {
  const wd = input.watchdog;
  if (!wd || input.config.pause || wd.mode === 'off' || wd.running || (wd.active && wd.mode !== 'required')) return d;
  const primary = input.pg.server !== null && !input.pg.server.inRecovery;
  const refused = primary
    ? plan('Demoting self because watchdog could not be activated', setMemory({ role: 'demoted' }), {
        type: 'run_async',
        task: { kind: 'demote', name: 'demote', mode: 'immediate' },
      })
    : plan('Not promoting self because watchdog could not be activated', { type: 'delete_leader' });
  return attempt('activate_watchdog', d, refused);
}

/** Ha.post_bootstrap: activation failure cancels the bootstrap (Patroni logs why and exits). */
export function withBootstrapWatchdog(input: HaInput, cancelled: Decision, done: Decision): Decision {
  const wd = input.watchdog;
  if (!wd || wd.mode === 'off' || wd.running) return done;
  return attempt('activate_watchdog', done, {
    ...cancelled,
    actions: [{ type: 'log', level: 'warning', message: 'Cancelling bootstrap because watchdog activation failed' }, ...cancelled.actions],
  });
}
