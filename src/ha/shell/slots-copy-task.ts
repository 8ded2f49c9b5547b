// The copy_logical_slots task (Patroni's SlotsHandler.copy_logical_slots): read the slots' state
// files from the primary, stop, install them, start again. Runs on the async executor.
import { log } from '../../log/logger.js';
import type { PostgresController, Upstream } from '../../postgresql/controller.js';
import type { PrimarySlotState } from '../../postgresql/slot-copy.js';
import type { AsyncTask } from '../core/decision.js';
import { copyableSlots } from '../core/slots-copy.js';

export interface SlotCopyPostgres {
  /** The named slots on the primary, state files included (superuser session, short timeouts). */
  readPrimarySlots(from: Upstream, names: string[]): Promise<PrimarySlotState[]>;
  /** Write the state files into the stopped server's pg_replslot. */
  installSlots(dataDir: string, slots: PrimarySlotState[]): Promise<void>;
}

export type CopyPostgres = Pick<PostgresController, 'stop' | 'start'> & { readonly dataDir: string; readonly slots: SlotCopyPostgres };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const describeSlot = (s: { type: string; database: string | null; plugin: string | null }) =>
  JSON.stringify({ type: s.type, database: s.database, plugin: s.plugin });

export async function copyLogicalSlots(pg: CopyPostgres, task: Extract<AsyncTask, { kind: 'copy_logical_slots' }>): Promise<boolean> {
  let states: PrimarySlotState[];
  try {
    states = await pg.slots.readPrimarySlots(task.from, task.slots.map((s) => s.name));
  } catch (e) {
    log.error('Failed to copy logical slots from the %s via postgresql connection: %s', task.from.name, errorText(e));
    return false;
  }
  const { copy, mismatched } = copyableSlots(states, task.slots);
  for (const m of mismatched) {
    const want = task.slots.find((s) => s.name === m.name);
    log.warning('Will not copy the logical slot "%s" due to the configuration mismatch: configuration=%s, slot on the primary=%s',
      m.name, want ? describeSlot({ ...want, type: 'logical' }) : '{}', describeSlot(m));
  }
  if (copy.length === 0) return true;
  if (!(await pg.stop('fast'))) return false;
  try {
    await pg.slots.installSlots(pg.dataDir, copy);
    log.info('Copied logical slots %s from %s', copy.map((s) => s.name).join(', '), task.from.name);
  } catch (e) {
    log.error('Failed to install logical slots copied from %s: %s', task.from.name, errorText(e));
  }
  // Started again even when writing failed: the replica must not stay down over a slot.
  return pg.start('replica', task.upstream);
}
