// Who may lead: the healthiest-node rules of ha-loop.md §10, with a reason for every member so
// a decision can say why it raced or stood back.
import { failoverPriority, nofailover } from '../config/tags.js';
import { clusterTimeline } from '../dcs/cluster.js';
import type { Reason } from './decision.js';
import type { HaInput, PeerStatus } from './input.js';

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

/** `status.optime - my_lsn > maximum_lag_on_failover` */
export function isLagging(input: HaInput, lsn: number): boolean {
  const optime = input.cluster.status.optime;
  return optime > 0 && optime - lsn > input.config.maximum_lag_on_failover;
}

/** is_healthiest_node (§10.1 + §10.2) for the no-pause, no-sync, no-failover-key case. */
export function isHealthiestNode(input: HaInput): Verdict {
  const me = input.me.name;
  const no = (why: string, extra: Reason[] = []): Verdict => ({ healthiest: false, reasons: [...extra, { member: me, eligible: false, why }] });
  const pg = input.pg;

  if (pg.state === 'starting') return no('PostgreSQL is still starting');
  if (pg.server && !pg.server.inRecovery) {
    const tl = pg.server.timeline;
    const clusterTl = clusterTimeline(input.cluster);
    if (tl < clusterTl) return no(`My timeline ${tl} is behind last known cluster timeline ${clusterTl}`);
    return { healthiest: true, reasons: [{ member: me, eligible: true, why: 'running as primary' }] };
  }
  if (input.config.pause) return no('cluster is paused');
  if (nofailover(input.me.tags)) return no('tagged nofailover');

  const lsn = myWalLsn(input);
  if (isLagging(input, lsn)) {
    return no(`lagging: ${input.cluster.status.optime - lsn} bytes behind the last leader position, more than maximum_lag_on_failover ${input.config.maximum_lag_on_failover}`);
  }
  if (input.config.check_timeline) {
    const tl = myTimeline(input);
    const clusterTl = clusterTimeline(input.cluster);
    if (tl === null || tl < clusterTl) return no(`timeline ${tl ?? 'unknown'} is behind cluster timeline ${clusterTl}`);
  }
  return comparePeers(input, lsn);
}

function comparePeers(input: HaInput, lsn: number): Verdict {
  const me = input.me.name;
  const myPriority = failoverPriority(input.me.tags);
  const reasons: Reason[] = [];
  let healthiest = true;
  for (const peer of input.peers) {
    const r = judgePeer(peer, lsn, myPriority, input.cluster.leader?.name);
    reasons.push(r.reason);
    if (r.beatsMe) healthiest = false;
  }
  reasons.push({
    member: me, eligible: healthiest,
    why: healthiest ? `WAL position ${lsn} is the highest among reachable members` : 'another member is ahead or preferred',
  });
  return { healthiest, reasons };
}

function judgePeer(peer: PeerStatus, myLsn: number, myPriority: number, formerLeader: string | undefined): { beatsMe: boolean; reason: Reason } {
  const ignore = (why: string) => ({ beatsMe: false, reason: { member: peer.name, eligible: false, why } });
  if (!peer.reachable) return ignore(`not reachable (${peer.error})`);
  if (peer.nofailover) return ignore('tagged nofailover');
  if (peer.watchdogFailed) return ignore('watchdog failed');
  if (peer.isPrimary) return { beatsMe: true, reason: { member: peer.name, eligible: true, why: `Primary (${peer.name}) is still alive` } };
  if (peer.walLsn > myLsn) {
    return { beatsMe: true, reason: { member: peer.name, eligible: true, why: `WAL position ${peer.walLsn} is ahead of mine (${myLsn})` } };
  }
  if (peer.walLsn === myLsn && peer.failoverPriority > myPriority && peer.name !== formerLeader) {
    return { beatsMe: true, reason: { member: peer.name, eligible: true, why: `same WAL position and higher failover_priority ${peer.failoverPriority}` } };
  }
  return { beatsMe: false, reason: { member: peer.name, eligible: true, why: `WAL position ${peer.walLsn} is not ahead of mine` } };
}
