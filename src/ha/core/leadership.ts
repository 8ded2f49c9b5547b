// Who holds the leader key after a decision, and what the lease fence does: the decision's own
// result, so the shell (src/daemon/node.ts) only reads `leader` and never works it out.
import type { DynamicConfig } from '../../config/types.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import { plan, setMemory, type Attempt, type Decision } from './decision.js';

const LOCK_ATTEMPTS: ReadonlySet<Attempt> = new Set(['acquire_leader', 'update_leader']);

/**
 * Mark every step with `leader`: held before the step, then its actions (take_leader takes the key,
 * delete_leader gives it up), then a lock attempt's outcome decides each branch.
 */
export function withLeadership(d: Decision, heldBefore: boolean): Decision {
  let held = heldBefore;
  for (const a of d.actions) {
    if (a.type === 'take_leader') held = true;
    else if (a.type === 'delete_leader') held = false;
  }
  if (!d.branch) return { ...d, leader: held };
  const a = d.branch.attempt;
  // A passed failsafe check keeps this node leading while the DCS is down (Ha._handle_dcs_error).
  const lockAttempt = typeof a === 'string' ? LOCK_ATTEMPTS.has(a) : a.kind === 'failsafe_check';
  const onSuccess = withLeadership(d.branch.onSuccess, lockAttempt ? true : held);
  const onFailure = withLeadership(d.branch.onFailure, lockAttempt ? false : held);
  return { ...d, leader: onSuccess.leader ?? held, branch: { ...d.branch, onSuccess, onFailure } };
}

/** The lease fence guards a held key while the cluster is not paused. */
export const fenceArmed = (leader: boolean, config: DynamicConfig): boolean => leader && !config.pause;

/**
 * The lease ran out without a refresh (src/daemon/lease-fence.ts): another node may be primary
 * already, so a running primary stops at once. Null when there is nothing to fence (paused, or
 * not running as primary): the node's leadership is then left as it is.
 */
export function leaseExpired(config: DynamicConfig, pg: PostgresSnapshot | null): Decision | null {
  const s = pg?.server;
  if (config.pause || (s && s.inRecovery)) return null;
  return {
    ...plan('stopped PostgreSQL because the leader lease expired', setMemory({ role: 'demoted' }), { type: 'stop_postgres', mode: 'immediate' }),
    leader: false,
  };
}
