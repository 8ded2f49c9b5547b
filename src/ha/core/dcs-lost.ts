// The cycle when the DCS cannot be read or written (Patroni's Ha._handle_dcs_error): a running primary
// cannot prove it still holds the lock, so it demotes itself, unless failsafe mode is on and every
// member of the last known failsafe key accepts it as the leader (POST /failsafe).
import { attempt, plan, setMemory, type Decision } from './decision.js';
import { failsafeTopology, FAILSAFE_KEEP } from './failsafe.js';
import type { DcsUnreachableInput } from './input.js';
import { stopTimeout } from './stop-timeout.js';

export const DCS_DEMOTE_TASK_NAME = 'demoting self because DCS is not accessible and I was a leader';

export function decideWithoutDcs(input: DcsUnreachableInput): Decision {
  const s = input.pg?.server;
  if (!input.config.pause && s && !s.inRecovery) {
    // The lease runs out while we wait: when the async slot is busy, demote from the loop itself.
    const demote = plan('demoted self because DCS is not accessible and I was a leader', setMemory({ role: 'demoted' }), {
      type: 'run_async',
      task: { kind: 'demote', name: DCS_DEMOTE_TASK_NAME, mode: 'offline', ...stopTimeout(input.config) },
      inlineWhenBusy: 'AsyncExecutor is busy, demoting from the main thread',
    });
    if (!input.config.failsafe_mode) return demote;
    const t = failsafeTopology(input.failsafe ?? null, input.me.name);
    if (t.kind === 'not_listed') return demote;
    return attempt({ kind: 'failsafe_check', members: t.kind === 'ask' ? t.members : [] }, plan(FAILSAFE_KEEP, { type: 'failsafe_keep' }), demote);
  }
  return plan('DCS is not accessible');
}
