// The slot step of every cycle (Patroni's SlotsHandler.sync_replication_slots), pure: from what this
// node remembers and what PostgreSQL reports, the slot writes to make and the memory for the next
// cycle, as etcd's raft returns a Ready and lets the application do the I/O. The shell driver
// (src/ha/shell/slots-process.ts) reads, calls slotStep, writes, and reads once more for `status`.
import type { DynamicConfig, Tags } from '../../config/types.js';
import type { Cluster, MemberRole } from '../../dcs/cluster.js';
import type { SlotRow } from '../../postgresql/slots.js';
import { logicalAdvanceTargets, type AdvanceTarget } from './slots-advance.js';
import { nostream } from '../../config/tags.js';
import {
  memberSlotName,
  memberSlotOwners,
  permanentSlots,
  permanentSlotsFor,
  planSlots,
  retainedSlots,
  type LogicalSlot,
  type SlotPlan,
  type SlotRole,
} from './slots.js';
import { isValidSlotName } from '../../postgresql/slots.js';

/** Kept between cycles (HaMemory.slots): member slot name -> when its member was last seen (ms). */
export interface SlotMemory {
  lastSeen: Readonly<Record<string, number>>;
}

export const INITIAL_SLOT_MEMORY: SlotMemory = { lastSeen: {} };

export interface SlotObservation {
  cluster: Cluster;
  config: DynamicConfig;
  me: string;
  tags: Tags;
  role: SlotRole;
  /** WAL position (replicas: received or replayed). */
  myLsn: number;
  /** Replayed position (replicas); bounds how far logical copies move. */
  replayLsn: number;
  now: number;
  /** server_version_num. */
  major: number;
  /** pg_replication_slots before the step. */
  existing: SlotRow[];
}

export interface SlotWrites extends SlotPlan {
  /** Replicas: inactive physical copies moved to the leader's published position, never past our WAL. */
  advancePhysical: { name: string; lsn: number }[];
  /** Replicas: logical copies for the background advancer (Patroni's SlotsAdvanceThread). */
  advanceLogical: AdvanceTarget[];
}

/** How the leader's `status.slots`/`retain_slots` follow from the slots after the writes. */
export interface PublishPlan {
  permanent: string[];
  /** Member slots whose positions are published (with member_slots_ttl). */
  memberSlots: string[];
  mine: string;
  myLsn: number;
  /** My own slot is published too (member_slots_ttl, or a permanent slot named like me). */
  includeMine: boolean;
  retainSlots: string[];
}

export interface SlotStatus {
  slots: Record<string, number>;
  retainSlots: string[];
}

export interface SlotStep {
  writes: SlotWrites;
  next: SlotMemory;
  /** Null: nothing to publish (replicas, PostgreSQL before 11). */
  publish: PublishPlan | null;
}

/** The role slots are kept for: a running primary, else the standby leader or a replica. */
export function slotRole(inRecovery: boolean, role: MemberRole): SlotRole {
  return !inRecovery ? 'primary' : role === 'standby_leader' ? 'standby_leader' : 'replica';
}

export function slotStep(mem: SlotMemory, o: SlotObservation): SlotStep {
  const mine = memberSlotName(o.me);
  const owners = memberSlotOwners(o.cluster, o.me, o.role, o.config, o.tags, o.major)
    .map(memberSlotName)
    .filter((n) => n !== mine && isValidSlotName(n)); // a member name from the DCS that makes no slot name is skipped
  const lastSeen = { ...mem.lastSeen };
  for (const n of owners) lastSeen[n] = o.now;
  const ttl = o.major >= 110000 ? o.config.member_slots_ttl : 0;
  const permanent = permanentSlotsFor(o.config, o.major, o.role, o.tags).filter((p) => !(p.type === 'physical' && p.name === mine));
  // AbstractDCS._build_retain_slots: the leader's own slot is a member slot too (unless nostream);
  // permanent physical slots are not member slots.
  if (o.role !== 'replica' && ttl > 0 && !nostream(o.tags)) lastSeen[mine] = o.now;
  const permanentPhysical = new Set(
    permanentSlots(o.config, o.major)
      .filter((p) => p.type === 'physical')
      .map((p) => p.name),
  );
  const leaderRetains = retainedSlots(new Map(Object.entries(lastSeen)), o.now, ttl).filter((n) => !permanentPhysical.has(n));
  const memberSlots =
    o.role === 'replica'
      ? [...new Set([...owners, ...(ttl > 0 ? o.cluster.status.retainSlots : [])])].filter((n) => n !== mine)
      : [...new Set([...owners, ...leaderRetains])].filter((n) => n !== mine);
  const plan = planSlots(o.existing, memberSlots, permanent, o.role, o.config);

  const replica = o.role === 'replica';
  const leaderSlots = o.cluster.status.slots;
  const advancePhysical =
    replica && o.major >= 110000
      ? o.existing.flatMap((s) => {
          const target = Math.min(leaderSlots[s.name] ?? 0, o.myLsn);
          return s.type !== 'physical' || s.active || s.lsn === null || target <= s.lsn ? [] : [{ name: s.name, lsn: target }];
        })
      : [];
  const logical = permanent.filter((p): p is LogicalSlot => p.type === 'logical');
  const advanceLogical = replica && o.major >= 110000 ? logicalAdvanceTargets(o.existing, logical, leaderSlots, o.replayLsn) : [];
  const publish: PublishPlan | null =
    !replica && o.major >= 110000
      ? {
          permanent: permanent.map((p) => p.name),
          memberSlots: ttl > 0 ? memberSlots : [],
          mine,
          myLsn: o.myLsn,
          includeMine: ttl > 0 || permanent.some((p) => p.name === mine),
          retainSlots: ttl > 0 ? leaderRetains : [],
        }
      : null;
  return { writes: { ...plan, advancePhysical, advanceLogical }, next: { lastSeen }, publish };
}

/** True when the step changes no slot now: the slots read before it are the slots after it. */
export function changesNoSlot(w: SlotWrites): boolean {
  return w.drop.length === 0 && w.createPhysical.length === 0 && w.createLogical.length === 0 && w.advancePhysical.length === 0;
}

/** `status.slots`/`retain_slots` from the slots as they are after the writes. */
export function slotStatus(p: PublishPlan, after: SlotRow[]): SlotStatus {
  const slots: Record<string, number> = {};
  for (const s of after) {
    if (s.lsn !== null && (p.permanent.includes(s.name) || p.memberSlots.includes(s.name))) slots[s.name] = s.lsn;
  }
  if (p.includeMine) slots[p.mine] = p.myLsn;
  return { slots, retainSlots: p.retainSlots };
}
