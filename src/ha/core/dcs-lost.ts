// The cycle when the DCS cannot be read or written (Patroni's Ha._handle_dcs_error): a running primary
// cannot prove it still holds the lock, so it demotes itself, unless failsafe mode is on and every
// member of the last known failsafe key accepts it as the leader (POST /failsafe). In failsafe mode the
// slots are kept in step meanwhile (Ha._sync_replication_slots(dcs_failed=True)): from the last cluster
// read, with the leader and slot positions of the last accepted heartbeat (Failsafe.update_cluster), so a
// replica's copies of permanent and member slots keep advancing while the DCS is down.
import { attempt, plan, setMemory, type Action, type Decision } from './decision.js';
import { failsafeTopology, failsafeView, FAILSAFE_KEEP } from './failsafe.js';
import type { DcsUnreachableInput } from './input.js';
import { stopTimeout } from './stop-timeout.js';

export const DCS_DEMOTE_TASK_NAME = 'demoting self because DCS is not accessible and I was a leader';
export const DCS_NOT_ACCESSIBLE = 'DCS is not accessible';

/** Ha._sync_replication_slots(dcs_failed=True): nothing without failsafe mode or a cluster ever read. */
function slotSyncWithoutDcs(input: DcsUnreachableInput): Action[] {
  if (!input.config.failsafe_mode || !input.lastCluster) return [];
  return [{ type: 'sync_slots', view: failsafeView(input.lastCluster, input.failsafeSeen ?? null, input.now, input.config.ttl) }];
}

export function decideWithoutDcs(input: DcsUnreachableInput): Decision {
  const s = input.pg?.server;
  if (input.config.pause || !s) return plan(DCS_NOT_ACCESSIBLE);
  if (s.inRecovery) return plan(DCS_NOT_ACCESSIBLE, ...slotSyncWithoutDcs(input));
  // The lease runs out while we wait: when the async slot is busy, demote from the loop itself.
  const demote = plan('demoted self because DCS is not accessible and I was a leader', setMemory({ role: 'demoted' }), {
    type: 'run_async',
    task: { kind: 'demote', name: DCS_DEMOTE_TASK_NAME, mode: 'offline', ...stopTimeout(input.config) },
    inlineWhenBusy: 'AsyncExecutor is busy, demoting from the main thread',
  });
  if (!input.config.failsafe_mode) return demote;
  const t = failsafeTopology(input.failsafe ?? null, input.me.name);
  if (t.kind === 'not_listed') return demote;
  const keep = plan(FAILSAFE_KEEP, { type: 'failsafe_keep' }, ...slotSyncWithoutDcs(input));
  return attempt({ kind: 'failsafe_check', members: t.kind === 'ask' ? t.members : [] }, keep, demote);
}
