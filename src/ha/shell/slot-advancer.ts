// Replicas keep their logical slot copies at the positions the leader publishes (Patroni's
// SlotsAdvanceThread). Advancing decodes WAL up to the target, which can take long, so it runs in
// the background: one round at a time, never holding up the HA loop.
import { log } from '../../log/logger.js';
import { needsRecopy, type AdvanceTarget } from '../core/slots-advance.js';

export interface LogicalAdvancePostgres {
  advanceLogicalSlot(name: string, database: string, lsn: number): Promise<void>;
  dropSlot(name: string): Promise<void>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LogicalSlotAdvancer {
  private running: Promise<void> | null = null;

  constructor(private readonly pg: LogicalAdvancePostgres) {}

  /** Start a round unless the previous one still runs (its targets are re-derived next cycle anyway). */
  schedule(targets: AdvanceTarget[]): void {
    if (this.running || targets.length === 0) return;
    this.running = this.advanceAll(targets).finally(() => { this.running = null; });
  }

  /** Resolves when no round is running. */
  idle(): Promise<void> { return this.running ?? Promise.resolve(); }

  private async advanceAll(targets: AdvanceTarget[]): Promise<void> {
    for (const t of targets) {
      try {
        await this.pg.advanceLogicalSlot(t.name, t.database, t.lsn);
      } catch (e) {
        log.error("Failed to advance logical replication slot '%s': %s", t.name, errorText(e));
        if (!needsRecopy(e)) continue;
        // Gone locally, the slot step copies it from the primary again.
        log.warning("Dropping logical replication slot '%s' to copy it from the primary again", t.name);
        await this.pg.dropSlot(t.name).catch((d: unknown) => log.error("Failed to drop replication slot '%s': %s", t.name, errorText(d)));
      }
    }
  }
}
