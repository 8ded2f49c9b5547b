// "If the leader were lost now, who would take over, and why": Patroni's failover rules evaluated for
// every member at once, from the DCS view plus each member's GET /patroni. Used by `patronictl explain`
// and the dashboard. Pure, and no second copy of the rules: eligibility is isFailoverPossible
// (Ha.is_failover_possible) run as if the leader were the node asking; the race among the eligible is
// the comparison of Ha._is_healthiest_node (highest WAL position, then failover_priority).
import { failoverPriority, nofailover } from '../../config/tags.js';
import type { DynamicConfig } from '../../config/types.js';
import type { Cluster } from '../../dcs/cluster.js';
import { isFailoverPossible } from './healthiest.js';
import type { PeerStatus } from './input.js';
import { listedInSync, syncActive } from './sync.js';

export interface LeaderLossView {
  config: DynamicConfig;
  cluster: Cluster;
  /** GET /patroni of every member that has an api_url (peerFromStatus), unreachable ones included. */
  probes: PeerStatus[];
}

export type Outlook =
  /** The member whose loss is assumed. */
  | 'leader'
  /** Would win the race: eligible with the highest WAL position (ties: failover_priority, then first to the lock). */
  | 'would_lead'
  /** Allowed to take over, but a more advanced (or preferred) member would win. */
  | 'eligible'
  | 'ineligible';

export interface MemberOutlook {
  member: string;
  outlook: Outlook;
  /** One line per fact that decided the outlook, most important first. */
  why: string[];
  /** WAL position as the race compares it (max of received and replayed on a replica); null if unknown. */
  walLsn: number | null;
  /** Bytes behind the last leader position in the status key (what maximum_lag_on_failover is compared to). */
  lagBytes: number | null;
  /** In the sync key (synchronous mode) or a quorum voter. */
  inSyncSet: boolean;
}

export interface LeaderLossReport {
  leader: string | null;
  /** is_failover_possible: at least one member could take over (and enough quorum votes); never while paused. */
  possible: boolean;
  members: MemberOutlook[];
}

/** Each member's chances of leading if the leader key vanished now. */
export function ifLeaderLost(view: LeaderLossView): LeaderLossReport {
  const { cluster, config } = view;
  const leader = cluster.leader?.name ?? null;
  const byName = new Map(view.probes.map((p) => [p.name, p]));
  // is_failover_possible as the leader would ask it: every member but the leader is judged.
  const judged = isFailoverPossible({ cluster, config, peers: view.probes, me: { name: leader ?? '' } }, cluster.members);
  const verdicts = new Map(judged.reasons.map((r) => [r.member, r]));
  const optime = cluster.status.optime;
  const sync = syncActive(config, cluster.sync) ? config.synchronous_mode : 'off';

  const walOf = (name: string): number | null => {
    const p = byName.get(name);
    return p && p.reachable ? p.walLsn : null;
  };
  const eligible = cluster.members.filter((m) => verdicts.get(m.name)?.eligible === true);
  const best = Math.max(-1, ...eligible.map((m) => walOf(m.name) ?? -1));
  const atBest = eligible.filter((m) => walOf(m.name) === best);
  const topPriority = Math.max(0, ...atBest.map((m) => failoverPriority(m.data.tags ?? {})));
  const winners = new Set(atBest.filter((m) => failoverPriority(m.data.tags ?? {}) === topPriority).map((m) => m.name));
  const bestNames = [...winners].join(', ');

  const members = cluster.members.map((m): MemberOutlook => {
    const walLsn = walOf(m.name);
    const lagBytes = walLsn !== null && optime > 0 ? Math.max(0, optime - walLsn) : null;
    const inSyncSet = sync !== 'off' && listedInSync(cluster.sync, m.name);
    const base = { member: m.name, walLsn, lagBytes, inSyncSet };
    const notes = syncNote(sync, inSyncSet);
    if (m.name === leader) return { ...base, outlook: 'leader', why: ['the leader (assumed lost)'] };
    // Ha.is_healthiest_node: while paused no replica races for the lock (only a named failover moves it).
    const paused = config.pause ? ['cluster is paused: no automatic failover'] : [];
    const verdict = verdicts.get(m.name);
    if (!verdict) {
      // Skipped by is_failover_possible before any check: say which rule skipped it.
      const why = !m.data.api_url
        ? 'no api_url: cannot be asked for its WAL position'
        : nofailover(m.data.tags ?? {})
          ? 'tagged nofailover (or failover_priority 0): not allowed to promote'
          : 'not judged';
      return { ...base, outlook: 'ineligible', why: [why, ...paused] };
    }
    if (!verdict.eligible) {
      const why =
        verdict.code === 'lagging' && lagBytes !== null
          ? `lag ${lagBytes} bytes exceeds maximum_lag_on_failover ${config.maximum_lag_on_failover}`
          : verdict.why;
      return { ...base, outlook: 'ineligible', why: [why, ...paused, ...notes] };
    }
    const p = byName.get(m.name);
    const timeline = p && p.reachable && p.timeline !== null ? `, timeline ${p.timeline}` : '';
    const lag = `lag ${lagBytes ?? 'unknown'} bytes within maximum_lag_on_failover ${config.maximum_lag_on_failover}`;
    if (config.pause) return { ...base, outlook: 'ineligible', why: [...paused, `otherwise eligible: reachable${timeline}, ${lag}`, ...notes] };
    if (winners.has(m.name)) {
      const tie = winners.size > 1 ? ` (tied with ${[...winners].filter((n) => n !== m.name).join(', ')}: first to take the lock wins)` : '';
      return { ...base, outlook: 'would_lead', why: [`highest WAL position ${walLsn ?? '?'}${tie}`, `reachable${timeline}, ${lag}`, ...notes] };
    }
    const behind = walLsn !== null && walLsn < best ? `${best - walLsn} bytes behind ${bestNames}` : `lower failover_priority than ${bestNames}`;
    return { ...base, outlook: 'eligible', why: [`healthy, but ${behind}`, `reachable${timeline}, ${lag}`, ...notes] };
  });
  return { leader, possible: judged.possible && !config.pause, members };
}

function syncNote(mode: DynamicConfig['synchronous_mode'], inSet: boolean): string[] {
  if (mode === 'on') return [inSet ? 'synchronous standby' : 'not a synchronous standby'];
  if (mode === 'quorum') return [inSet ? 'quorum voter' : 'not a quorum voter'];
  return [];
}
