// The leader's `status` / legacy `optime/leader` / `failsafe` writes that ride along with each
// successful leader update (AbstractDCS.update_leader -> write_status / write_failsafe): written only
// when the content changed, and never allowed to fail the leader update itself. Backend-neutral: it
// only needs put and a raw read.
import { log } from '../log/logger.js';
import type { Cluster } from './cluster.js';
import type { LeaderStatusUpdate } from './dcs.js';
import { formatFailsafe, formatStatus } from './format.js';

type Put = (relKey: string, value: string) => Promise<unknown>;
type ReadRaw = (relKey: string) => string | undefined;

/** True when some member runs Patroni older than 2.1.0, which only reads `optime/leader`. */
export function needsLegacyOptime(cluster: Cluster | null): boolean {
  return (cluster?.members ?? []).some((m) => {
    const v = m.data.version;
    if (!v) return false;
    const [major = 0, minor = 0] = v.split('.').map((x) => Number.parseInt(x, 10) || 0);
    return major < 2 || (major === 2 && minor < 1);
  });
}

export class LeaderStatusWriter {
  private lastSlots: Record<string, number> | undefined;
  private lastRetain: string[] | undefined;
  private lastStatus: string | undefined;
  private lastOptime: string | undefined;
  private lastFailsafe: string | undefined;

  constructor(
    private readonly put: Put,
    private readonly readRaw: ReadRaw,
  ) {}

  async write(cluster: Cluster | null, update: LeaderStatusUpdate): Promise<void> {
    // slots / retain_slots of the previous write carry over when this call lacks them.
    if (update.slots) this.lastSlots = update.slots;
    if (update.retainSlots) this.lastRetain = update.retainSlots;
    const status = formatStatus({ optime: update.optime, slots: this.lastSlots, retainSlots: this.lastRetain });
    if (update.optime !== undefined || update.slots || update.retainSlots) {
      await this.writeIfChanged('status', status, this.lastStatus, (v) => {
        this.lastStatus = v;
      });
    }
    if (update.optime !== undefined && needsLegacyOptime(cluster)) {
      await this.writeIfChanged('optime/leader', String(update.optime), this.lastOptime, (v) => {
        this.lastOptime = v;
      });
    }
    if (update.failsafe) {
      await this.writeIfChanged('failsafe', formatFailsafe(update.failsafe), this.lastFailsafe, (v) => {
        this.lastFailsafe = v;
      });
    }
  }

  private async writeIfChanged(key: string, value: string, last: string | undefined, done: (v: string) => void): Promise<void> {
    const stored = this.readRaw(key);
    if (value === (stored ?? last)) return;
    try {
      await this.put(key, value);
      done(value);
    } catch (e) {
      log.error('Failed to write %s: %s', key, e instanceof Error ? e.message : String(e));
    }
  }
}
