// primary_race_backoff (Ha.process_unhealthy_cluster): with no leader key, a replica whose WAL is still
// arriving is looking at a primary that is alive (its daemon frozen, or only its lease lost), so the
// leader race waits up to `primary_race_backoff` seconds for it to come back. Pure.

export interface RaceBackoffInput {
  now: number;
  /** Dynamic primary_race_backoff and loop_wait, seconds. */
  backoff: number;
  loopWait: number;
  /** When the backoff started (first cycle without a leader), null when not started. */
  startedAt: number | null;
  /** My WAL position last cycle and now (max of received and replayed), null when unknown. */
  prevWalLsn: number | null;
  walLsn: number | null;
  /** The WAL receiver is streaming. */
  streaming: boolean;
}

export type RaceBackoff = { postpone: false } | { postpone: true; startedAt: number; message: (me: string) => string };

/** Only a replica in an ordinary leader race backs off (not paused, no standby cluster, no candidate). */
export function raceBackoffApplies(o: {
  backoff: number;
  paused: boolean;
  standbyCluster: boolean;
  failoverCandidate: boolean;
  prevWalLsn: number | null;
}): boolean {
  return o.backoff > 0 && !o.paused && !o.standbyCluster && !o.failoverCandidate && o.prevWalLsn !== null;
}

export function raceBackoff(i: RaceBackoffInput): RaceBackoff {
  const startedAt = i.startedAt ?? i.now;
  const left = (startedAt + i.backoff * 1000 - i.now) / 1000;
  const moved = i.walLsn !== null && i.prevWalLsn !== null && i.walLsn > i.prevWalLsn;
  // The first cycle always waits (left == backoff); later ones only while WAL still streams in.
  if ((left > 0 && i.streaming && moved) || left > i.backoff - i.loopWait) {
    return {
      postpone: true,
      startedAt,
      message: (me) => `My (${me}) wal position moved since last heart beat loop, ${left.toFixed(0)} seconds until leader race`,
    };
  }
  return { postpone: false };
}
