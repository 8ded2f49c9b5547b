// Replicas keep their logical slot copies at the positions the leader publishes (Patroni's
// SlotsAdvanceThread): which copies to move and how far. The background advancer that does the
// I/O is src/ha/shell/slot-advancer.ts.
import type { SlotRow } from '../../postgresql/slots.js';
import type { LogicalSlot } from './slots.js';

export interface AdvanceTarget {
  name: string;
  database: string;
  lsn: number;
}

/**
 * Logical copies to move forward: to the leader's published confirmed_flush_lsn, but never past
 * what this replica replayed and never backwards. Only copies matching the config are touched.
 */
export function logicalAdvanceTargets(existing: SlotRow[], wanted: LogicalSlot[], leaderSlots: Record<string, number>, replayLsn: number): AdvanceTarget[] {
  const out: AdvanceTarget[] = [];
  for (const s of existing) {
    const w = wanted.find((x) => x.name === s.name);
    const published = leaderSlots[s.name];
    if (!w || s.type !== 'logical' || s.database !== w.database || s.plugin !== w.plugin || s.active || published === undefined) continue;
    const lsn = Math.min(published, replayLsn);
    if (s.lsn !== null && s.lsn < lsn) out.push({ name: s.name, database: w.database, lsn });
  }
  return out;
}

/** WAL already removed (58P01) or slot invalidated (55000): only a fresh copy from the primary helps. */
export function needsRecopy(e: unknown): boolean {
  const code = e instanceof Error && 'code' in e ? e.code : undefined;
  return code === '58P01' || code === '55000';
}
