// Who may lead: Patroni's Ha.is_healthiest_node, Ha._is_healthiest_node, Ha.manual_failover_process_no_leader
// and Ha.is_failover_possible, with a reason for every member so a decision can say why it raced or stood back.
import { failoverPriority, nofailover } from '../../config/tags.js';
import { clusterTimeline, type Member } from '../../dcs/cluster.js';
import type { Reason, ReasonCode } from './decision.js';
import { excludedByFailsafe } from './failsafe.js';
import type { HaInput, NodeIdentity, PeerStatus } from './input.js';
import { listedInSync, syncActive } from './sync.js';

export interface Verdict {
  healthiest: boolean;
  reasons: Reason[];
}

/** My WAL position as peers compare it: flush LSN on a primary, max(receive, replay) on a replica. */
export function myWalLsn(input: HaInput): number {
  const s = input.pg.server;
  if (s) return s.walLsn;
  const dd = input.pg.dataDir;
  return dd.kind === 'present' && dd.controlData ? Math.max(dd.controlData.checkpointLsn, dd.controlData.minRecoveryLsn) : 0;
}

export function myTimeline(input: HaInput): number | null {
  if (input.pg.server) return input.pg.server.timeline;
  const dd = input.pg.dataDir;
  return dd.kind === 'present' && dd.controlData ? dd.controlData.timeline : null;
}

/** `status.optime - lsn > maximum_lag_on_failover` */
export function isLagging(input: Pick<HaInput, 'cluster' | 'config'>, lsn: number): boolean {
  const optime = input.cluster.status.optime;
  return optime > 0 && optime - lsn > input.config.maximum_lag_on_failover;
}

const no = (me: string, code: ReasonCode, why: string, extra: Reason[] = []): Verdict => ({
  healthiest: false,
  reasons: [...extra, { member: me, eligible: false, code, why }],
});
const yes = (me: string, code: ReasonCode, why: string, extra: Reason[] = []): Verdict => ({
  healthiest: true,
  reasons: [...extra, { member: me, eligible: true, code, why }],
});

/** Ha.is_healthiest_node */
export function isHealthiestNode(input: HaInput): Verdict {
  const me = input.me.name;
  const { pg, config, cluster } = input;

  if (pg.state === 'starting') return no(me, 'starting', 'PostgreSQL is still starting');
  if (pg.server && !pg.server.inRecovery) {
    if (config.pause) return yes(me, 'primary', 'running as primary');
    const tl = pg.server.timeline;
    const clusterTl = clusterTimeline(cluster);
    if (tl < clusterTl) return no(me, 'timeline_behind', `My timeline ${tl} is behind last known cluster timeline ${clusterTl}`);
    return yes(me, 'primary', 'running as primary');
  }
  if (config.pause) {
    if (!nofailover(input.me.tags) && cluster.failover && !cluster.failover.scheduledAt) return manualFailoverNoLeader(input);
    return no(me, 'paused', 'cluster is paused');
  }
  if (nofailover(input.me.tags)) return no(me, 'nofailover', 'tagged nofailover');
  const released = input.memory.releasedLeaderKeyAt;
  if (released !== null && input.now - released < config.ttl * 1000) {
    return no(me, 'pre_promote_backoff', 'backoff: skip leader race after pre_promote script failure and releasing the lock voluntarily');
  }
  const multisync = syncActive(config, cluster.sync) && config.synchronous_mode === 'on';
  if (cluster.failover) {
    if (cluster.failover.leader && multisync && !listedInSync(cluster.sync, me)) return no(me, 'not_sync', 'not a synchronous standby');
    return manualFailoverNoLeader(input);
  }
  if (input.watchdog && !input.watchdog.healthy) return no(me, 'watchdog', 'Watchdog device is not usable');
  if (excludedByFailsafe(config.failsafe_mode, cluster.failsafe, me)) return no(me, 'not_in_failsafe', 'not listed in the failsafe key');
  // Only a standby that holds every acknowledged commit may take over.
  if (multisync && !listedInSync(cluster.sync, me)) return no(me, 'not_sync', 'not listed as a synchronous standby in the sync key');
  const outsideSync = multisync ? new Set(input.peers.filter((p) => !listedInSync(cluster.sync, p.name)).map((p) => p.name)) : new Set<string>();
  return healthiestAmong(input, outsideSync, true);
}

/** Ha.manual_failover_process_no_leader: a failover key is present and there is no leader. */
function manualFailoverNoLeader(input: HaInput): Verdict {
  const me = input.me.name;
  const failover = input.cluster.failover!;
  if (failover.candidate) {
    if (failover.candidate === me) return yes(me, 'failover_candidate', 'I am the requested failover candidate');
    if (input.config.pause) return no(me, 'other_candidate', `waiting for the requested candidate ${failover.candidate}`);
    const peer = input.peers.find((p) => p.name === failover.candidate);
    const limitation = peer ? failoverLimitation(peer) : 'not a member';
    if (limitation === null) return no(me, 'other_candidate', `manual failover: to ${failover.candidate}, i am ${me}`);
    // The requested candidate cannot lead: every other member may race (failover.candidate ignored).
  } else if (input.config.pause) {
    return no(me, 'candidate_only_when_paused', 'failover is possible only to a specific candidate in a paused state');
  }
  if (failover.leader === me) {
    const others = input.cluster.members.filter((m) => m.name !== failover.candidate && m.name !== failover.leader);
    return isFailoverPossible(input, others).possible
      ? no(me, 'former_leader', 'I was the leader and another member is healthy')
      : yes(me, 'former_leader', 'I was the leader and I am the only healthy member');
  }
  return healthiestAmong(input, new Set(failover.leader ? [failover.leader] : []), false);
}

/** Ha._is_healthiest_node over the probed peers, minus `exclude`. */
function healthiestAmong(input: HaInput, exclude: Set<string>, checkLag: boolean): Verdict {
  const me = input.me.name;
  const lsn = myWalLsn(input);
  if (checkLag && isLagging(input, lsn)) {
    return no(
      me,
      'lagging',
      `lagging: ${input.cluster.status.optime - lsn} bytes behind the last leader position, more than maximum_lag_on_failover ${input.config.maximum_lag_on_failover}`,
    );
  }
  if (input.config.check_timeline && !input.config.standby_cluster) {
    const tl = myTimeline(input);
    const clusterTl = clusterTimeline(input.cluster);
    if (tl === null || tl < clusterTl) return no(me, 'timeline_behind', `My timeline ${tl ?? 'unknown'} is behind last known cluster timeline ${clusterTl}`);
  }
  const myPriority = failoverPriority(input.me.tags);
  const reasons: Reason[] = [];
  const { sync } = input.cluster;
  const quorumMode = syncActive(input.config, sync) && input.config.synchronous_mode === 'quorum';
  const isVoter = (name: string) => listedInSync(sync, name);
  const syncLeader = syncActive(input.config, sync) && input.config.synchronous_mode === 'on' ? sync.leader : undefined;
  let healthiest = true;
  let votes = isVoter(me) ? 0 : -1;
  for (const peer of input.peers.filter((p) => !exclude.has(p.name))) {
    const r = judgePeer(peer, lsn, myPriority, input.cluster.leader?.name, syncLeader, quorumMode && !isVoter(peer.name));
    reasons.push(r.reason);
    if (r.beatsMe) healthiest = false;
    else if (quorumMode && isVoter(peer.name) && peer.reachable && peer.walLsn > 0) votes++;
  }
  if (quorumMode && healthiest && votes < sync.quorum && !(sync.leader && sync.leader.toLowerCase() === me.toLowerCase())) {
    return no(me, 'quorum_short', `only ${Math.max(votes, 0)} of ${sync.quorum} quorum votes`, reasons);
  }
  return healthiest
    ? yes(me, 'healthiest', `WAL position ${lsn} is the highest among reachable members`, reasons)
    : no(me, 'outranked', 'another member is ahead or preferred', reasons);
}

export interface Limitation {
  code: ReasonCode;
  why: string;
}

/** Why a peer may not lead (unreachable, nofailover, watchdog), null when it may. */
export function failoverLimitation(peer: PeerStatus): Limitation | null {
  if (!peer.reachable) return { code: 'unreachable', why: `not reachable (${peer.error})` };
  if (peer.nofailover) return { code: 'nofailover', why: 'not allowed to promote' };
  if (peer.watchdogFailed) return { code: 'watchdog', why: 'not watchdog capable' };
  return null;
}

function judgePeer(
  peer: PeerStatus,
  myLsn: number,
  myPriority: number,
  formerLeader: string | undefined,
  syncLeader: string | undefined,
  priorityIgnored: boolean,
): { beatsMe: boolean; reason: Reason } {
  const limitation = failoverLimitation(peer);
  if (limitation !== null || !peer.reachable) {
    return { beatsMe: false, reason: { member: peer.name, eligible: false, code: limitation?.code ?? 'unreachable', why: limitation?.why ?? 'unreachable' } };
  }
  const eligible = (beatsMe: boolean, code: ReasonCode, why: string) => ({ beatsMe, reason: { member: peer.name, eligible: true, code, why } });
  if (peer.isPrimary) return eligible(true, 'primary_alive', `Primary (${peer.name}) is still alive`);
  if (peer.walLsn > myLsn && peer.name !== syncLeader) return eligible(true, 'wal_ahead', `WAL position ${peer.walLsn} is ahead of mine (${myLsn})`);
  if (peer.walLsn === myLsn && peer.failoverPriority > myPriority && peer.name !== formerLeader && !priorityIgnored) {
    return eligible(true, 'higher_priority', `same WAL position and higher failover_priority ${peer.failoverPriority}`);
  }
  return eligible(false, 'wal_not_ahead', `WAL position ${peer.walLsn} is not ahead of mine`);
}

/** What is_failover_possible reads: also built by leader-lost.ts for members other than this node. */
export type FailoverView = Pick<HaInput, 'cluster' | 'config' | 'peers'> & { me: Pick<NodeIdentity, 'name'> };

/**
 * Ha.is_failover_possible: is any of `members` (other than me, not nofailover, with an
 * api_url) reachable, unlimited, not lagging and on the cluster timeline?
 */
export function isFailoverPossible(input: FailoverView, members: Member[], clusterLsn = 0): { possible: boolean; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const clusterTl = clusterTimeline(input.cluster);
  const { sync, failover } = input.cluster;
  // In synchronous mode only a listed standby may take over, unless an operator names one (manual failover).
  const onlySync = syncActive(input.config, sync) && input.config.synchronous_mode === 'on' && !(failover && !failover.leader);
  for (const m of members) {
    if (m.name === input.me.name || !m.data.api_url || nofailover(m.data.tags)) continue;
    if (onlySync && !listedInSync(sync, m.name)) {
      reasons.push({ member: m.name, eligible: false, code: 'not_sync', why: 'not a synchronous standby' });
      continue;
    }
    const peer = input.peers.find((p) => p.name === m.name);
    let limitation: Limitation | null = peer ? failoverLimitation(peer) : { code: 'not_probed', why: 'not probed' };
    if (limitation === null && peer && peer.reachable) {
      if (clusterLsn ? peer.walLsn < clusterLsn : isLagging(input, peer.walLsn)) limitation = { code: 'lagging', why: 'exceeds maximum replication lag' };
      else if (input.config.check_timeline && (!peer.timeline || peer.timeline < clusterTl)) {
        limitation = { code: 'timeline_behind', why: `timeline ${peer.timeline} is behind the cluster timeline ${clusterTl}` };
      }
    }
    reasons.push(
      limitation ? { member: m.name, eligible: false, ...limitation } : { member: m.name, eligible: true, code: 'healthy', why: 'healthy failover candidate' },
    );
  }
  const healthy = reasons.filter((r) => r.eligible).length;
  const quorumMode = syncActive(input.config, sync) && input.config.synchronous_mode === 'quorum' && !failover?.candidate;
  const count = healthy - 1;
  return { possible: count >= 0 && (!quorumMode || count >= sync.quorum), reasons };
}
