// Fault-specific invariants (pure) over the writes some node acknowledged, for the safety features of
// issue 12: failsafe mode keeps the primary writable, a primary cut from the DCS stops taking writes
// before its lease can have expired, a watchdog fires before anyone else promotes, primary_race_backoff
// holds the race while the old primary's WAL arrives, primary_stop_timeout bounds a stuck shutdown.
// Times are performance.now() milliseconds, as in AcceptedWrite.
import type { AcceptedWrite } from './invariants.js';

export type Expectation =
  /** `node` acknowledged writes all through [from, to] with no gap longer than maxGapMs. */
  | { kind: 'stays_writable'; node: string; from: number; to: number; maxGapMs: number }
  /** `node` acknowledged no write sent after `deadline`, until `until` (when it may lead again). */
  | { kind: 'stops_writes_by'; node: string; deadline: number; until: number }
  /** The watchdog of `node` fired (at firedAt) before any other node acknowledged a write after `from`. */
  | { kind: 'fenced_before_promotion'; node: string; from: number; firedAt: number | undefined }
  /** No node but `node` acknowledged a write in [from, until]: the leader race waited. */
  | { kind: 'no_promotion_before'; node: string; from: number; until: number }
  /** A stop of `node` finished within boundMs (tookMs undefined: it never finished). */
  | { kind: 'stopped_within'; node: string; tookMs: number | undefined; boundMs: number };

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function firstWriteByOther(accepted: readonly AcceptedWrite[], node: string, from: number, until = Infinity): AcceptedWrite | undefined {
  return [...accepted].filter((w) => w.node !== node && w.sentAt >= from && w.ackAt <= until).sort((a, b) => a.ackAt - b.ackAt)[0];
}

export function checkExpectation(e: Expectation, accepted: readonly AcceptedWrite[]): string[] {
  switch (e.kind) {
    case 'stays_writable': {
      const acks = accepted
        .filter((w) => w.node === e.node && w.ackAt >= e.from && w.ackAt <= e.to)
        .map((w) => w.ackAt)
        .sort((a, b) => a - b);
      let prev = e.from;
      let gap = 0;
      for (const t of acks) {
        gap = Math.max(gap, t - prev);
        prev = t;
      }
      gap = Math.max(gap, e.to - prev);
      return gap > e.maxGapMs
        ? [`${e.node} stopped acknowledging writes for ${secs(gap)} while it should have stayed writable (bound ${secs(e.maxGapMs)})`]
        : [];
    }
    case 'stops_writes_by': {
      const late = accepted.filter((w) => w.node === e.node && w.sentAt > e.deadline && w.sentAt < e.until);
      return late.length
        ? [
            `${e.node} acknowledged ${late.length} write(s) sent up to ${secs(Math.max(...late.map((w) => w.sentAt)) - e.deadline)} after its lease could have expired`,
          ]
        : [];
    }
    case 'fenced_before_promotion': {
      const other = firstWriteByOther(accepted, e.node, e.from);
      if (e.firedAt === undefined) return [`the watchdog of ${e.node} never fired`];
      return other && other.ackAt < e.firedAt
        ? [`${other.node} acknowledged a write ${secs(e.firedAt - other.ackAt)} before the watchdog of ${e.node} fired`]
        : [];
    }
    case 'no_promotion_before': {
      const other = firstWriteByOther(accepted, e.node, e.from, e.until);
      return other ? [`${other.node} was promoted ${secs(e.until - other.ackAt)} before ${e.node} came back, while its WAL still arrived`] : [];
    }
    case 'stopped_within':
      if (e.tookMs === undefined) return [`${e.node} did not stop`];
      return e.tookMs > e.boundMs ? [`${e.node} took ${secs(e.tookMs)} to stop (bound ${secs(e.boundMs)})`] : [];
  }
}

export const checkExpectations = (es: readonly Expectation[], accepted: readonly AcceptedWrite[]): string[] => es.flatMap((e) => checkExpectation(e, accepted));
