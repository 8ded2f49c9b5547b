// Which replication slots a node keeps (`slots`/`ignore_slots`/`member_slots_ttl`,
// Patroni's SlotsHandler), pure: member slots per role, permanent slots, ignore matchers, retention.
import { nofailover, nostream, replicatefrom } from '../../config/tags.js';
import type { DynamicConfig } from '../../config/types.js';
import type { Cluster } from '../../dcs/cluster.js';
import { slotNameFromMemberName } from '../../postgresql/slots.js';
import { isObject, type JsonObject } from '../../util/json.js';

// What the `slots` setting declares lives with the config (the postgresql layer needs it too).
import type { LogicalSlot, PermanentSlot, SlotRole } from '../../config/permanent-slots.js';
export {
  holdsLogicalSlotCopies,
  needsHotStandbyFeedback,
  permanentSlots,
  permanentSlotsFor,
  type LogicalSlot,
  type PermanentSlot,
  type SlotRole,
} from '../../config/permanent-slots.js';

/** A slot as found in pg_replication_slots. */
export interface ExistingSlot {
  name: string;
  type: 'physical' | 'logical';
  database: string | null;
  plugin: string | null;
  /** A logical copy that cannot decode (its WAL is gone or it was invalidated): copy it again. */
  needsCopy?: boolean;
}

/**
 * Members whose physical slot this node keeps (Patroni's _get_members_slots): never mine nor a
 * nostream member's; with member_slots_ttl (PG11+) every node keeps all of them so they survive a
 * failover, except that a nofailover node only serves its cascading replicas; otherwise the leader
 * keeps slots for members streaming from it and a replica for those cascading from it.
 */
export function memberSlotOwners(cluster: Cluster, me: string, role: SlotRole, config: DynamicConfig, myTags: JsonObject, majorVersion: number): string[] {
  const exists = (n: string) => cluster.members.some((m) => m.name === n);
  let members = cluster.members.filter((m) => m.name !== me && !nostream(m.data.tags));
  const cascadesFromMe = (t: JsonObject | undefined) => replicatefrom(t) === me;
  if (majorVersion >= 110000 && config.member_slots_ttl > 0) {
    members = members.filter((m) => !nofailover(myTags) || cascadesFromMe(m.data.tags));
  } else if (role !== 'replica') {
    members = members.filter((m) => {
      const f = replicatefrom(m.data.tags);
      return !f || f === me || !exists(f);
    });
  } else {
    members = members.filter((m) => cascadesFromMe(m.data.tags) && m.name !== cluster.leader?.name);
  }
  return members.map((m) => m.name);
}

/** Any `ignore_slots` matcher whose given keys all match the slot. */
export function isIgnored(slot: ExistingSlot, config: DynamicConfig): boolean {
  const matchers = Array.isArray(config.raw.ignore_slots) ? config.raw.ignore_slots : [];
  return matchers.some(
    (m) =>
      isObject(m) &&
      Object.keys(m).length > 0 &&
      Object.entries(m).every(
        ([k, v]) =>
          (k === 'name' && v === slot.name) ||
          (k === 'type' && v === slot.type) ||
          (k === 'database' && v === slot.database) ||
          (k === 'plugin' && v === slot.plugin),
      ),
  );
}

export interface SlotPlan {
  createPhysical: string[];
  createLogical: LogicalSlot[];
  drop: string[];
}

/**
 * What to change so that exactly the wanted slots exist. Logical slots are only created on a
 * primary (PostgreSQL before 16 cannot decode on a standby); ignored slots are never touched.
 */
export function planSlots(existing: ExistingSlot[], memberSlots: string[], permanent: PermanentSlot[], role: SlotRole, config: DynamicConfig): SlotPlan {
  const physical = new Set([...memberSlots, ...permanent.filter((p) => p.type === 'physical').map((p) => p.name)]);
  const logical = permanent.filter((p): p is LogicalSlot => p.type === 'logical');
  const byName = new Map(existing.map((s) => [s.name, s]));
  const drop = existing
    .filter((s) => {
      if (isIgnored(s, config)) return false;
      if (s.type === 'physical') return !physical.has(s.name);
      const want = logical.find((l) => l.name === s.name);
      // A logical slot of the `slots` config survives on replicas too: it was copied there on purpose.
      return !want || want.database !== s.database || want.plugin !== s.plugin;
    })
    .map((s) => s.name)
    .sort();
  return {
    createPhysical: [...physical].filter((n) => byName.get(n)?.type !== 'physical').sort(),
    createLogical: role === 'primary' ? logical.filter((l) => !byName.has(l.name) || drop.includes(l.name)) : [],
    drop,
  };
}

/** Member slot names to publish in status.retain_slots: members seen within member_slots_ttl. */
export function retainedSlots(lastSeen: ReadonlyMap<string, number>, now: number, ttlSeconds: number): string[] {
  return [...lastSeen]
    .filter(([, t]) => now - t <= ttlSeconds * 1000)
    .map(([n]) => n)
    .sort();
}

export const memberSlotName = slotNameFromMemberName;
