// When a scheduled switchover or restart runs (Patroni's should_run_scheduled_action).
import type { Action } from './decision.js';

export type ScheduleVerdict = { run: false; actions: Action[]; stale: boolean } | { run: true; actions: Action[] };

export function scheduledAction(what: string, at: Date, now: number, loopWait: number, paused: boolean): ScheduleVerdict {
  if (paused) return { run: false, actions: [], stale: false };
  const delta = (at.getTime() - now) / 1000;
  if (delta > loopWait) {
    return {
      run: false,
      stale: false,
      actions: [{ type: 'log', level: 'info', message: `Awaiting ${what} at ${at.toISOString()} (in ${delta.toFixed(0)} seconds)` }],
    };
  }
  if (delta < -Math.trunc(loopWait * 1.5)) {
    return { run: false, stale: true, actions: [{ type: 'log', level: 'warning', message: `Found a stale ${what} value, cleaning up: ${at.toISOString()}` }] };
  }
  return {
    run: true,
    actions: [
      ...(delta > 0 ? [{ type: 'sleep', ms: Math.round(delta * 1000) } as const] : []),
      { type: 'log', level: 'info', message: `Manual scheduled ${what} at ${at.toISOString()}` },
    ],
  };
}
