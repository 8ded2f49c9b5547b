// The permanent replication slots the dynamic `slots` setting declares (Patroni's
// get_replication_slots), and which of them a node keeps for its role. Pure; below both the HA core
// and the postgresql layer, which needs it for hot_standby_feedback.
import { nofailover, nostream } from './tags.js';
import type { DynamicConfig } from './types.js';
import { isObject, type JsonObject } from '../util/json.js';

/** The role a node keeps slots for. */
export type SlotRole = 'primary' | 'standby_leader' | 'replica';

export type PermanentSlot = { name: string; type: 'physical' } | { name: string; type: 'logical'; database: string; plugin: string };

export type LogicalSlot = Extract<PermanentSlot, { type: 'logical' }>;

const VALID_NAME = /^[a-z0-9_]{1,63}$/;

/** `slots` (or its aliases): valid permanent slots; an empty value means physical. */
export function permanentSlots(config: DynamicConfig, majorVersion: number): PermanentSlot[] {
  const raw = config.raw;
  const source = [raw.slots, raw.permanent_slots, raw.permanent_replication_slots].find((v) => isObject(v) && Object.keys(v).length > 0);
  if (!isObject(source)) return [];
  const out: PermanentSlot[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (!VALID_NAME.test(name)) continue;
    const v = isObject(value) ? value : {};
    const type = v.type ?? 'physical';
    if (type === 'physical') out.push({ name, type });
    else if (type === 'logical' && typeof v.database === 'string' && typeof v.plugin === 'string' && majorVersion >= 110000) {
      out.push({ name, type, database: v.database, plugin: v.plugin });
    }
  }
  return out;
}

/**
 * Permanent slots this node keeps. Logical ones exist for after a failover, so a replica keeps
 * copies only when it may be promoted; a standby leader keeps none (Patroni's get_replication_slots).
 */
export function permanentSlotsFor(config: DynamicConfig, majorVersion: number, role: SlotRole, myTags: JsonObject): PermanentSlot[] {
  // A nostream member has no slot on the primary to follow (Cluster.get_slot_name_on_primary): physical only.
  return permanentSlots(config, majorVersion).filter(
    (p) => p.type === 'physical' || role === 'primary' || (role === 'replica' && !nofailover(myTags) && !nostream(myTags)),
  );
}

/** As a replica this node keeps copies of permanent logical slots. */
export function holdsLogicalSlotCopies(config: DynamicConfig, myTags: JsonObject, majorVersion: number): boolean {
  return config.use_slots && permanentSlotsFor(config, majorVersion, 'replica', myTags).some((p) => p.type === 'logical');
}

/** Logical slot copies need hot_standby_feedback, or the primary could vacuum catalog rows they need. */
export const needsHotStandbyFeedback = holdsLogicalSlotCopies;
