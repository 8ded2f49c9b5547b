// The `history` key the leader keeps (Patroni's Ha.update_cluster_history), built from PostgreSQL's timeline history file.
import type { HistoryLine, TimelineHistory } from '../../dcs/cluster.js';

/** Parse `<TLI>.history`: tab-separated `tli  X/Y  reason` lines. */
export function parseHistoryFile(text: string): [number, number, string][] {
  const out: [number, number, string][] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const lsn = Number.parseInt(m[2]!, 16) * 2 ** 32 + Number.parseInt(m[3]!, 16);
    out.push([Number(m[1]), lsn, m[4]!.trim()]);
  }
  return out;
}

/** Does the leader on `timeline` need to rewrite the DCS history? */
export function historyNeedsUpdate(existing: TimelineHistory | null, timeline: number): boolean {
  if (timeline <= 1) return !!existing && existing.lines.length > 0;
  const last = existing?.lines.at(-1);
  return !last || last[0] !== timeline - 1 || last.length !== 5;
}

/** What the leader on `timeline` writes to the `history` key: nothing, `[]`, or lines from `<TLI>.history`. */
export function historyUpdate(existing: TimelineHistory | null, timeline: number): 'none' | 'clear' | 'from_file' {
  if (!historyNeedsUpdate(existing, timeline)) return 'none';
  return timeline <= 1 ? 'clear' : 'from_file';
}

/**
 * New history lines: the last gets the file's mtime and my name; older ones keep the timestamp and
 * leader of the existing entry with the same timeline and LSN. Keep the last `maxEntries` (0 = all).
 */
export function buildHistory(
  fileLines: [number, number, string][],
  existing: TimelineHistory | null,
  mtimeIso: string,
  me: string,
  maxEntries: number,
): HistoryLine[] {
  const known = new Map((existing?.lines ?? []).map((l) => [`${l[0]}:${l[1]}`, l]));
  const lines: HistoryLine[] = fileLines.map(([tl, lsn, reason], i) => {
    if (i === fileLines.length - 1) return [tl, lsn, reason, mtimeIso, me];
    const old = known.get(`${tl}:${lsn}`);
    return old && old.length === 5 ? [tl, lsn, reason, old[3], old[4]] : [tl, lsn, reason];
  });
  return maxEntries > 0 ? lines.slice(-maxEntries) : lines;
}

/** Python's datetime.isoformat() with local offset: 2024-05-02T10:11:12.123456+00:00 */
export function isoWithOffset(d: Date): string {
  const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}
