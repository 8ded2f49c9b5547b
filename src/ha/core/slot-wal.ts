// WAL a copied logical slot needs on the replica (beyond Patroni's SlotsHandler.copy_logical_slots):
// the copy starts decoding at the slot's restart_lsn, but the replica may already have recycled
// that segment at a restartpoint (nothing held it there before the copy). The copy would look fine,
// and after a promotion decoding would fail with "requested WAL segment ... has already been
// removed": the consumer's unconfirmed changes lost. Pure: which segments to fetch from the primary.

/** A WAL segment file name: timeline, then the segment number as two 8-digit hex halves. */
const SEGMENT_FILE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

export interface WalSegmentFile {
  name: string;
  timeline: number;
  segno: number;
}

const segmentsPerXlogId = (segmentSize: number) => 2 ** 32 / segmentSize;

/** The number of the segment holding `lsn` (XLByteToSeg). */
export function segmentNumber(lsn: number, segmentSize: number): number {
  return Math.floor(lsn / segmentSize);
}

/** XLogFileName: `TTTTTTTTXXXXXXXXYYYYYYYY`. */
export function segmentFileName(timeline: number, segno: number, segmentSize: number): string {
  const per = segmentsPerXlogId(segmentSize);
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return hex(timeline) + hex(Math.floor(segno / per)) + hex(segno % per);
}

/** A pg_wal entry that is a whole segment (not `.partial`, `.history`, `.backup`); null otherwise. */
export function parseSegmentFile(name: string, segmentSize: number): WalSegmentFile | null {
  const m = SEGMENT_FILE.exec(name);
  if (!m) return null;
  const lo = Number.parseInt(m[3]!, 16);
  if (lo >= segmentsPerXlogId(segmentSize)) return null;
  return { name, timeline: Number.parseInt(m[1]!, 16), segno: Number.parseInt(m[2]!, 16) * segmentsPerXlogId(segmentSize) + lo };
}

export interface SlotWalNeed {
  /** The copied state file's restart_lsn: decoding starts there. */
  restartLsn: number;
  /**
   * Exclusive upper bound: the replica's own restart point (its REDO location). PostgreSQL keeps
   * every segment from there on itself, and later ones arrive by streaming. Null (unknown): the
   * replica's newest segment.
   */
  upToLsn: number | null;
  segmentSize: number;
  /** File names in the replica's pg_wal. */
  replicaFiles: readonly string[];
  /** File names in the primary's pg_wal. */
  primaryFiles: readonly string[];
}

export interface SlotWalPlan {
  /** Primary file names to fetch, oldest first. */
  fetch: string[];
  /** Segments neither side has (named with the replica's highest timeline): the slot cannot decode. */
  unavailable: string[];
}

/**
 * For every segment from the one holding restart_lsn up to (not including) the one holding
 * `upToLsn`: the primary's file for it (its highest timeline, as XLogFileReadAnyTLI prefers), unless
 * the replica already has that very file; a segment only the replica has is used as it is.
 */
export function slotWalPlan(n: SlotWalNeed): SlotWalPlan {
  const parse = (files: readonly string[]) => files.flatMap((f) => parseSegmentFile(f, n.segmentSize) ?? []);
  const replicaFiles = parse(n.replicaFiles);
  const replica = new Set(replicaFiles.map((f) => f.name));
  const replicaSegnos = new Set(replicaFiles.map((f) => f.segno));
  const primary = new Map<number, WalSegmentFile>();
  for (const f of parse(n.primaryFiles)) {
    const seen = primary.get(f.segno);
    if (!seen || f.timeline > seen.timeline) primary.set(f.segno, f);
  }
  const fallbackTimeline = Math.max(1, ...replicaFiles.map((f) => f.timeline));
  const fetch: string[] = [];
  const unavailable: string[] = [];
  const last = n.upToLsn !== null ? segmentNumber(n.upToLsn, n.segmentSize) : Math.max(0, ...replicaFiles.map((f) => f.segno));
  for (let segno = segmentNumber(n.restartLsn, n.segmentSize); segno < last; segno++) {
    const file = primary.get(segno);
    if (!file) {
      if (!replicaSegnos.has(segno)) unavailable.push(segmentFileName(fallbackTimeline, segno, n.segmentSize));
    } else if (!replica.has(file.name)) fetch.push(file.name);
  }
  return { fetch, unavailable };
}
