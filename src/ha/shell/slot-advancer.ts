// Replicas keep their logical slot copies at the positions the leader publishes (Patroni's
// SlotsAdvanceThread). Advancing decodes WAL up to the target, which can take long, so it runs in
// the background: one round at a time, never holding up the HA loop.
import { log } from '../../log/logger.js';
import { needsRecopy, type AdvanceTarget } from '../core/slots-advance.js';

export interface LogicalAdvancePostgres {
  advanceLogicalSlot(name: string, database: string, lsn: number): Promise<void>;
  /**
   * Copies that cannot decode any more, to be copied from the primary again (SlotsAdvanceThread's
   * _copy_slots). Shared with the copy task, which removes the names it copied.
   */
  readonly needsCopy: Set<string>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LogicalSlotAdvancer {
  private running: Promise<void> | null = null;

  constructor(private readonly pg: LogicalAdvancePostgres) {}

  /** Start a round unless the previous one still runs (its targets are re-derived next cycle anyway). */
  schedule(targets: AdvanceTarget[]): void {
    // A copy waiting to be replaced is not advanced (SlotsAdvanceThread.schedule).
    const due = targets.filter((t) => !this.pg.needsCopy.has(t.name));
    if (this.running || due.length === 0) return;
    this.running = this.advanceAll(due).finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no round is running. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async advanceAll(targets: AdvanceTarget[]): Promise<void> {
    for (const t of targets) {
      try {
        await this.pg.advanceLogicalSlot(t.name, t.database, t.lsn);
      } catch (e) {
        log.error("Failed to advance logical replication slot '%s': %s", t.name, errorText(e));
        if (!needsRecopy(e)) continue;
        // Kept until the fresh copy replaces it: a failover meanwhile finds a slot that fails
        // loudly, never a new one that silently skips the consumer's changes.
        log.warning("Logical replication slot '%s' will be copied from the primary again", t.name);
        this.pg.needsCopy.add(t.name);
      }
    }
  }
}
