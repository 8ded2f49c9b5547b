// The cycle when the DCS cannot be read or written (Patroni's Ha._handle_dcs_error, without
// failsafe mode): a running primary cannot prove it still holds the lock, so it demotes itself.
// Failsafe mode (asking the other members instead of the DCS) plugs in here, as new fields of
// DcsUnreachableInput and a branch before the demotion.
import { plan, setMemory, type Decision } from './decision.js';
import type { DcsUnreachableInput } from './input.js';

export const DCS_DEMOTE_TASK_NAME = 'demoting self because DCS is not accessible and I was a leader';

export function decideWithoutDcs(input: DcsUnreachableInput): Decision {
  const s = input.pg?.server;
  if (!input.config.pause && s && !s.inRecovery) {
    // The lease runs out while we wait: when the async slot is busy, demote from the loop itself.
    return plan('demoted self because DCS is not accessible and I was a leader', setMemory({ role: 'demoted' }), {
      type: 'run_async',
      task: { kind: 'demote', name: DCS_DEMOTE_TASK_NAME, mode: 'offline' },
      inlineWhenBusy: 'AsyncExecutor is busy, demoting from the main thread',
    });
  }
  return plan('DCS is not accessible');
}
