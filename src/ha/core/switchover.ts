// The leader's side of a switchover or manual failover (Patroni's Ha.process_manual_failover_from_leader): demote gracefully when
// a healthy candidate exists, otherwise clean the failover key up and carry on leading.
import { stopTimeout } from './stop-timeout.js';
import type { Member } from '../../dcs/cluster.js';
import { plan, setMemory, type Action, type Decision, type Reason } from './decision.js';
import { isFailoverPossible } from './healthiest.js';
import type { HaInput } from './input.js';
import { scheduledAction } from './scheduled.js';
import { upstreamOf } from './upstream.js';

export type LeaderFailoverOutcome =
  /** Hand over: this decision replaces the normal leader path. */
  | { kind: 'demote'; decision: Decision }
  /** Keep leading, after these actions (logs, failover key clean-up). */
  | { kind: 'continue'; actions: Action[]; reasons: Reason[] };

const CONTINUE: LeaderFailoverOutcome = { kind: 'continue', actions: [], reasons: [] };

export function manualFailoverFromLeader(input: HaInput): LeaderFailoverOutcome {
  const { cluster, me, config, pg } = input;
  const failover = cluster.failover;
  const isPrimary = !!pg.server && !pg.server.inRecovery;
  if (!failover || (config.pause && !isPrimary)) return CONTINUE;

  const pre: Action[] = [];
  if (failover.scheduledAt) {
    const v = scheduledAction('switchover', failover.scheduledAt, input.now, config.loop_wait, config.pause);
    pre.push(...v.actions);
    if (!v.run) return { kind: 'continue', actions: v.stale ? [...pre, { type: 'clear_failover' }] : pre, reasons: [] };
  }
  const action = failover.leader ? 'switchover' : 'manual failover';
  const cleanUp = (message: string, reasons: Reason[] = []): LeaderFailoverOutcome => ({
    kind: 'continue',
    reasons,
    actions: [...pre, { type: 'log', level: 'warning', message }, { type: 'clear_failover' }],
  });

  if (failover.leader && failover.leader !== me.name) return cleanUp(`${action}: leader name does not match: ${failover.leader} != ${me.name}`);
  if (failover.candidate === me.name) return cleanUp(`${action}: I am already the leader, no need to failover`);
  if (!failover.candidate && config.pause) return cleanUp('Failover is possible only to a specific candidate in a paused state');

  const members: Member[] = cluster.members.filter((m) => !failover.candidate || m.name === failover.candidate);
  const check = isFailoverPossible(input, members);
  if (!check.possible) return cleanUp(`${action}: no healthy members found, failover is not possible`, check.reasons);

  const candidate = failover.candidate ? cluster.members.find((m) => m.name === failover.candidate) : undefined;
  // A named candidate is the only standby the stop must wait for; otherwise only unreachable ones are cut.
  const detach = cluster.members
    .map((m) => m.name)
    .filter(
      (n) =>
        n !== me.name && (failover.candidate ? n !== failover.candidate : check.reasons.some((r) => r.member === n && !r.eligible && r.code === 'unreachable')),
    );
  return {
    kind: 'demote',
    decision: {
      ...plan(`${action}: demoting myself`, ...pre, setMemory({ role: 'demoted' }), {
        type: 'run_async',
        task: { kind: 'demote', name: `${action}: demote`, mode: 'graceful', follow: upstreamOf(candidate), detach, ...stopTimeout(input.config) },
      }),
      reasons: check.reasons,
    },
  };
}
