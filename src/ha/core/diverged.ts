// Has this node's history forked from the leader's (Patroni's Rewind.rewind_or_reinitialize_needed_and_possible)? Decided from the leader's
// timeline history in the DCS: the switch point where our timeline ended on the leader's side.
import { clusterTimeline } from '../../dcs/cluster.js';
import type { ControlData } from '../../postgresql/snapshot.js';
import type { HaInput } from './input.js';

export type Divergence = { kind: 'same_history' } | { kind: 'diverged'; why: string };

const CRASHED = new Set(['in production', 'in crash recovery', 'shutting down']);

/**
 * A stopped standby's checkpoint timeline lags behind what it replayed; its minimum recovery
 * point's timeline is where it really stopped.
 */
function stoppedTimeline(cd: ControlData): number {
  const minRecoveryTl = Number.parseInt(cd.raw["Min recovery ending loc's timeline"] ?? '0', 10);
  return minRecoveryTl > 0 ? minRecoveryTl : cd.timeline;
}

export function divergence(input: HaInput): Divergence {
  const { pg, cluster, me } = input;
  const leader = cluster.leader;
  if (!leader || leader.name === me.name || pg.dataDir.kind !== 'present') return { kind: 'same_history' };
  const leaderTl = Math.max(leader.member?.data.timeline ?? 0, clusterTimeline(cluster));
  const cd = pg.dataDir.controlData;
  // A streaming replica is following its upstream's history: nothing forked.
  if (pg.server?.replicationState === 'streaming') return { kind: 'same_history' };
  const localTl = pg.server ? pg.server.timeline : cd ? stoppedTimeline(cd) : null;
  if (localTl === null || leaderTl === 0 || localTl >= leaderTl) return { kind: 'same_history' };

  const switchLsn = cluster.history?.lines.find((l) => l[0] === localTl)?.[1];
  if (pg.server) {
    if (!pg.server.inRecovery || switchLsn === undefined) return { kind: 'same_history' };
    const replayed = pg.server.replayLsn ?? pg.server.walLsn;
    return replayed > switchLsn
      ? { kind: 'diverged', why: `replayed ${replayed} is past the switch point ${switchLsn} of timeline ${localTl}` }
      : { kind: 'same_history' };
  }
  if (!cd) return { kind: 'same_history' };
  // A crashed primary may have WAL past its last checkpoint that nobody else has: always rewind.
  if (CRASHED.has(cd.clusterState)) return { kind: 'diverged', why: `crashed primary on timeline ${localTl}, leader is on ${leaderTl}` };
  if (switchLsn === undefined) {
    return cd.clusterState === 'shut down'
      ? { kind: 'diverged', why: `former primary, no switch point known for timeline ${localTl}` }
      : { kind: 'same_history' };
  }
  // A cleanly stopped primary whose shutdown checkpoint starts before the switch point handed
  // everything over (the promoted node has the whole record); at or past it, it has extra WAL.
  if (cd.clusterState === 'shut down') {
    return cd.checkpointLsn >= switchLsn
      ? { kind: 'diverged', why: `shutdown checkpoint ${cd.checkpointLsn} is not before the switch point ${switchLsn}` }
      : { kind: 'same_history' };
  }
  const lsn = Math.max(cd.checkpointLsn, cd.minRecoveryLsn);
  return lsn > switchLsn ? { kind: 'diverged', why: `recovered up to ${lsn}, past the switch point ${switchLsn}` } : { kind: 'same_history' };
}
