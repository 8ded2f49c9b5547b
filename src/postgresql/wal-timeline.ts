// The timeline a standby is replaying, when its WAL receiver cannot tell us (not streaming): the
// highest timeline among the segment files in pg_wal that hold the replay position. The checkpoint
// timeline of a standby lags behind (restartpoints are rare), so using it would see a fork where
// there is none.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const SEGMENT_FILE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

export function segmentName(lsn: number, segmentSize: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn % 2 ** 32;
  const perId = 2 ** 32 / segmentSize;
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return hex(hi) + hex(Math.floor(lo / segmentSize) % perId);
}

/** Pure part: the highest timeline among `files` holding the segment of `lsn`. */
export function timelineOfSegment(files: string[], lsn: number, segmentSize: number): number | null {
  const want = segmentName(lsn, segmentSize);
  let best: number | null = null;
  for (const f of files) {
    const m = SEGMENT_FILE.exec(f);
    if (m && `${m[2]}${m[3]}` === want) best = Math.max(best ?? 0, Number.parseInt(m[1]!, 16));
  }
  return best;
}

export function walTimeline(dataDir: string, lsn: number, segmentSize = 16 * 1024 * 1024): number | null {
  try {
    return timelineOfSegment(readdirSync(join(dataDir, 'pg_wal')), lsn, segmentSize);
  } catch {
    return null;
  }
}
