// The invariants (pure): no two nodes accept writes at the same moment, and acknowledged commits survive
// failovers (all of them under synchronous_mode_strict, all but maximum_lag_on_failover bytes otherwise).

/** One write some node acknowledged: by the writer or by a split-brain probe. Times from performance.now(). */
export interface AcceptedWrite {
  node: string;
  sentAt: number;
  ackAt: number;
}

export interface DoublePrimary {
  first: string;
  second: string;
  /** When the second node's write was sent while the first node's write was still in flight or later. */
  at: number;
}

/**
 * Pairs of nodes that accepted writes in overlapping [sentAt, ackAt] intervals: both committed a write
 * at some instant of the overlap, i.e. both were primaries at once. A clean failover never overlaps: the
 * old primary stops (or hangs past the client timeout, which acknowledges nothing) before the new one
 * is promoted. One incident is reported per node pair and second.
 */
export function findDoublePrimaries(writes: readonly AcceptedWrite[]): DoublePrimary[] {
  const sorted = [...writes].sort((a, b) => a.sentAt - b.sentAt);
  const latestAck = new Map<string, number>();
  const out: DoublePrimary[] = [];
  const seen = new Set<string>();
  for (const w of sorted) {
    for (const [node, ackAt] of latestAck) {
      if (node === w.node || ackAt <= w.sentAt) continue;
      const key = `${[node, w.node].sort().join('/')}/${Math.floor(w.sentAt / 1000)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ first: node, second: w.node, at: w.sentAt });
    }
    latestAck.set(w.node, Math.max(latestAck.get(w.node) ?? -Infinity, w.ackAt));
  }
  return out;
}

/** A commit the writer got an acknowledgement for. */
export interface AckedCommit {
  id: number;
  node: string;
  timeline: number;
  /** WAL position while the INSERT ran (RETURNING is evaluated before the commit record is written). */
  lsnBefore: bigint;
  /** WAL position read right after the acknowledgement (past the commit record); unknown if that failed. */
  lsnAfter: bigint | undefined;
}

export interface TimelineSwitch {
  timeline: number;
  /** The position where `timeline` ended and its successor began. */
  switchpoint: bigint;
}

export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text.trim());
  if (!m) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** PostgreSQL's NNNNNNNN.history: `parentTLI<TAB>switchpoint<TAB>reason` per ancestor timeline. */
export function parseTimelineHistory(text: string): TimelineSwitch[] {
  const out: TimelineSwitch[] = [];
  for (const line of text.split('\n')) {
    const [tl, lsn] = line.trim().split(/\s+/);
    if (!tl || !lsn || tl.startsWith('#')) continue;
    out.push({ timeline: Number(tl), switchpoint: parseLsn(lsn) });
  }
  return out;
}

export type Durability = { kind: 'strict' } | { kind: 'async'; maximumLagOnFailover: number };

export interface LossReport {
  lost: AckedCommit[];
  /** Largest distance between a lost commit and the end of its timeline on the leader's history. */
  maxLostBytes: number;
  violations: string[];
}

/**
 * Checks the acknowledged commits missing from the leader (`missing`) against the leader's timeline
 * history. A missing commit is only an allowed loss when it sits after the point where its timeline was
 * abandoned, within maximum_lag_on_failover (async) — never under synchronous_mode_strict.
 */
export function judgeLoss(missing: readonly AckedCommit[], leaderTimeline: number, history: readonly TimelineSwitch[], durability: Durability): LossReport {
  const violations: string[] = [];
  let maxLostBytes = 0;
  for (const c of missing) {
    const where = `acknowledged commit ${c.id} (${c.node}, timeline ${c.timeline}, lsn ${c.lsnBefore}..${c.lsnAfter ?? '?'})`;
    if (c.timeline === leaderTimeline) {
      violations.push(`${where} is missing on the leader although it is on the leader's own timeline`);
      continue;
    }
    const sw = history.find((h) => h.timeline === c.timeline);
    if (!sw) {
      violations.push(`${where} was made on a timeline that is not in the leader's history (a second primary)`);
      continue;
    }
    if (c.lsnAfter !== undefined && c.lsnAfter <= sw.switchpoint) {
      violations.push(`${where} is missing although its timeline continued past it (switchpoint ${sw.switchpoint})`);
      continue;
    }
    const end = c.lsnAfter ?? c.lsnBefore;
    const bytes = end > sw.switchpoint ? Number(end - sw.switchpoint) : 0;
    maxLostBytes = Math.max(maxLostBytes, bytes);
    if (durability.kind === 'strict') {
      violations.push(`${where} was lost under synchronous_mode_strict`);
    } else if (bytes > durability.maximumLagOnFailover) {
      violations.push(`${where} was lost ${bytes} bytes after the failover point (maximum_lag_on_failover ${durability.maximumLagOnFailover})`);
    }
  }
  return { lost: [...missing], maxLostBytes, violations };
}
