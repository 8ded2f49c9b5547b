// Drives the slot step of every cycle (Patroni's SlotsHandler.sync_replication_slots) against the
// real PostgreSQL: read, let the pure slotStep (src/ha/core/slots-step.ts) decide, write, and read
// again for the `slots`/`retain_slots` the leader publishes in `status`. Its memory between cycles
// is the core's (HaMemory.slots): passed in, the next one returned.
import { log } from '../../log/logger.js';
import type { SlotRow } from '../../postgresql/slots.js';
import { changesNoSlot, INITIAL_SLOT_MEMORY, slotStatus, slotStep, type SlotMemory, type SlotObservation, type SlotStatus } from '../core/slots-step.js';
import { LogicalSlotAdvancer, type LogicalAdvancePostgres } from './slot-advancer.js';

export interface SlotPostgres extends LogicalAdvancePostgres {
  listSlots(): Promise<SlotRow[]>;
  createPhysicalSlot(name: string): Promise<void>;
  createLogicalSlot(name: string, database: string, plugin: string): Promise<void>;
  dropSlot(name: string): Promise<void>;
  advanceSlot(name: string, lsn: number): Promise<void>;
}

export type { SlotStatus };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class SlotManager {
  /** What the leader publishes with its next lock update; null on replicas. */
  status: SlotStatus | null = null;
  private readonly advancer: LogicalSlotAdvancer;

  constructor(private readonly pg: SlotPostgres) {
    this.advancer = new LogicalSlotAdvancer(pg);
  }

  /** Slots as they are now, for the copy decision (undefined when they cannot be read). */
  async localSlots(): Promise<(SlotRow & { needsCopy?: boolean })[] | undefined> {
    const rows = await this.pg.listSlots().catch((e: unknown) => {
      log.warning('Could not read replication slots: %s', errorText(e));
      return undefined;
    });
    return rows?.map((s) => (this.pg.needsCopy.has(s.name) ? { ...s, needsCopy: true } : s));
  }

  /**
   * One slot step. `o.major` is the running server's version (server_version_num of this cycle's
   * snapshot), so the step reads no file. Returns the slot memory for the next cycle.
   */
  async sync(o: Omit<SlotObservation, 'existing'>, memory: SlotMemory = INITIAL_SLOT_MEMORY): Promise<SlotMemory> {
    if (!o.config.use_slots) {
      this.status = null;
      return memory;
    }
    let next = memory;
    try {
      const existing = await this.pg.listSlots();
      const step = slotStep(memory, { ...o, existing });
      next = step.next;
      await this.write(step.writes);
      // Read again only after a write: an idle leader's cycle makes one round trip for slots, not two.
      this.status = step.publish ? slotStatus(step.publish, changesNoSlot(step.writes) ? existing : await this.pg.listSlots()) : null;
    } catch (e) {
      // The status published last stays until a step completes.
      log.error('Exception when changing replication slots: %s', errorText(e));
    }
    return next;
  }

  private async write(w: ReturnType<typeof slotStep>['writes']): Promise<void> {
    for (const name of w.drop) await this.pg.dropSlot(name);
    for (const name of w.createPhysical) await this.pg.createPhysicalSlot(name);
    for (const l of w.createLogical) {
      await this.pg
        .createLogicalSlot(l.name, l.database, l.plugin)
        .catch((e: unknown) => log.error('Failed to create logical replication slot %s: %s', l.name, errorText(e)));
    }
    for (const a of w.advancePhysical) {
      await this.pg.advanceSlot(a.name, a.lsn).catch((e: unknown) => log.warning('Failed to advance replication slot %s: %s', a.name, errorText(e)));
    }
    this.advancer.schedule(w.advanceLogical);
  }
}
