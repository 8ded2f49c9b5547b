// The copy_logical_slots task (Patroni's SlotsHandler.copy_logical_slots): read the slots' state
// files from the primary, stop, make sure the WAL from each slot's restart_lsn is here (fetched from
// the primary over the same session when not), install them, start again. Runs on the async executor.
import { log } from '../../log/logger.js';
import type { PostgresController, Upstream } from '../../postgresql/controller.js';
import { formatLsn } from '../../postgresql/lsn.js';
import type { PrimarySlotState } from '../../postgresql/slot-copy.js';
import type { AsyncTask } from '../core/decision.js';
import { slotWalPlan } from '../core/slot-wal.js';
import { copyableSlots } from '../core/slots-copy.js';

/** A session on the primary (superuser, short timeouts). */
export interface PrimarySlotSource {
  /** The named slots, state files included. */
  readSlots(names: string[]): Promise<PrimarySlotState[]>;
  /** File names in its pg_wal and its wal_segment_size. */
  listWal(): Promise<{ files: string[]; segmentSize: number }>;
  /** Copy one of its WAL segment files into the local (stopped) pg_wal, atomically. */
  fetchWal(name: string, segmentSize: number, dataDir: string): Promise<void>;
}

export interface SlotCopyPostgres {
  withPrimary<T>(from: Upstream, fn: (primary: PrimarySlotSource) => Promise<T>): Promise<T>;
  /** Local pg_wal file names and the REDO location of the stopped server (null when unreadable). */
  localWal(dataDir: string): Promise<{ files: string[]; redoLsn: number | null }>;
  /** Write the state files into the stopped server's pg_replslot. */
  installSlots(dataDir: string, slots: PrimarySlotState[]): Promise<void>;
  /**
   * Copies that may not decode after a promotion, with why (Patroni's _logical_slots_processing_queue,
   * warned about on promote). A later copy that gets all its WAL removes the entry.
   */
  readonly notReady: Map<string, string>;
  /** Copies the advancer found unable to decode (see LogicalAdvancePostgres.needsCopy). */
  readonly needsCopy: Set<string>;
}

export type CopyPostgres = Pick<PostgresController, 'stop' | 'start'> & { readonly dataDir: string; readonly slots: SlotCopyPostgres };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const describeSlot = (s: { type: string; database: string | null; plugin: string | null }) =>
  JSON.stringify({ type: s.type, database: s.database, plugin: s.plugin });

export async function copyLogicalSlots(pg: CopyPostgres, task: Extract<AsyncTask, { kind: 'copy_logical_slots' }>): Promise<boolean> {
  try {
    return await pg.slots.withPrimary(task.from, (primary) => copyFrom(pg, task, primary));
  } catch (e) {
    // Only connecting and reading the slots fail here: once stopped, copyFrom always starts again.
    log.error('Failed to copy logical slots from the %s via postgresql connection: %s', task.from.name, errorText(e));
    return false;
  }
}

async function copyFrom(pg: CopyPostgres, task: Extract<AsyncTask, { kind: 'copy_logical_slots' }>, primary: PrimarySlotSource): Promise<boolean> {
  const states = await primary.readSlots(task.slots.map((s) => s.name));
  const { copy, mismatched } = copyableSlots(states, task.slots);
  for (const m of mismatched) {
    const want = task.slots.find((s) => s.name === m.name);
    log.warning(
      'Will not copy the logical slot "%s" due to the configuration mismatch: configuration=%s, slot on the primary=%s',
      m.name,
      want ? describeSlot({ ...want, type: 'logical' }) : '{}',
      describeSlot(m),
    );
  }
  if (copy.length === 0) return true;
  if (!(await pg.stop('fast'))) return false;
  try {
    const unsafe = await ensureSlotWal(pg, primary, copy, task.from.name);
    await pg.slots.installSlots(pg.dataDir, copy);
    log.info('Copied logical slots %s from %s', copy.map((s) => s.name).join(', '), task.from.name);
    for (const s of copy) {
      pg.slots.needsCopy.delete(s.name);
      const why = unsafe.get(s.name);
      if (why === undefined) {
        pg.slots.notReady.delete(s.name);
        continue;
      }
      pg.slots.notReady.set(s.name, why);
      log.warning("Logical slot '%s' copied from %s might be unusable after a failover: %s", s.name, task.from.name, why);
    }
  } catch (e) {
    log.error('Failed to install logical slots copied from %s: %s', task.from.name, errorText(e));
  }
  // Started again even when writing failed: the replica must not stay down over a slot.
  return pg.start('replica', task.upstream);
}

/**
 * With the replica stopped: every WAL segment from each copied slot's restart_lsn that the replica
 * recycled already, fetched from the primary. Returns why each slot that still misses WAL is unsafe.
 */
async function ensureSlotWal(pg: CopyPostgres, primary: PrimarySlotSource, copy: PrimarySlotState[], from: string): Promise<Map<string, string>> {
  const unsafe = new Map<string, string>();
  let wal: { files: string[]; segmentSize: number };
  let local: { files: string[]; redoLsn: number | null };
  try {
    [wal, local] = await Promise.all([primary.listWal(), pg.slots.localWal(pg.dataDir)]);
  } catch (e) {
    for (const s of copy) unsafe.set(s.name, `could not compare WAL with the primary: ${errorText(e)}`);
    return unsafe;
  }
  const have = [...local.files];
  for (const s of copy) {
    if (s.restartLsn === null) {
      unsafe.set(s.name, 'its restart_lsn could not be read from the state file, so its WAL could not be checked');
      continue;
    }
    const plan = slotWalPlan({ restartLsn: s.restartLsn, upToLsn: local.redoLsn, segmentSize: wal.segmentSize, replicaFiles: have, primaryFiles: wal.files });
    const missing = plan.unavailable.map((f) => `${f} (not on the primary either)`);
    for (const f of plan.fetch) {
      try {
        await primary.fetchWal(f, wal.segmentSize, pg.dataDir);
        have.push(f);
        log.info("Fetched WAL segment %s from %s for logical slot '%s' (restart_lsn %s)", f, from, s.name, formatLsn(s.restartLsn));
      } catch (e) {
        missing.push(`${f} (${errorText(e)})`);
      }
    }
    if (missing.length > 0) unsafe.set(s.name, `WAL from its restart_lsn ${formatLsn(s.restartLsn)} is missing here: ${missing.join(', ')}`);
  }
  return unsafe;
}
