// The slot step of every cycle (ha-loop.md §2 step 14) against the real PostgreSQL: create/drop
// what slots.ts decides, keep replicas' copies moving with the leader's positions, and prepare the
// `slots`/`retain_slots` the leader publishes in `status` (dcs.md §3.8).
import type { DynamicConfig, Tags } from '../../config/types.js';
import type { Cluster } from '../../dcs/cluster.js';
import { log } from '../../log/logger.js';
import type { SlotRow } from '../../postgresql/slots.js';
import { logicalAdvanceTargets } from '../core/slots-advance.js';
import { LogicalSlotAdvancer, type LogicalAdvancePostgres } from './slot-advancer.js';
import { memberSlotName, memberSlotOwners, permanentSlotsFor, planSlots, retainedSlots, type LogicalSlot, type SlotRole } from '../core/slots.js';

export interface SlotPostgres extends LogicalAdvancePostgres {
  majorVersion(): Promise<number>;
  listSlots(): Promise<SlotRow[]>;
  createPhysicalSlot(name: string): Promise<void>;
  createLogicalSlot(name: string, database: string, plugin: string): Promise<void>;
  dropSlot(name: string): Promise<void>;
  advanceSlot(name: string, lsn: number): Promise<void>;
}

export interface SlotStatus { slots: Record<string, number>; retainSlots: string[] }

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class SlotManager {
  /** Member slot name -> when its member was last seen in the cluster (ms). */
  private readonly lastSeen = new Map<string, number>();
  /** What the leader publishes with its next lock update; null on replicas. */
  status: SlotStatus | null = null;
  private readonly advancer: LogicalSlotAdvancer;

  constructor(private readonly pg: SlotPostgres) {
    this.advancer = new LogicalSlotAdvancer(pg);
  }

  /** Slots as they are now, for the copy decision (undefined when they cannot be read). */
  async localSlots(): Promise<SlotRow[] | undefined> {
    return this.pg.listSlots().catch((e: unknown) => {
      log.warning('Could not read replication slots: %s', errorText(e));
      return undefined;
    });
  }

  /** `myLsn`: WAL position (replicas: received or replayed); `replayLsn`: replayed (replicas). */
  async sync(cluster: Cluster, config: DynamicConfig, me: string, tags: Tags, role: SlotRole, myLsn: number, replayLsn = myLsn, now = Date.now()): Promise<void> {
    if (!config.use_slots) {
      this.status = null;
      return;
    }
    try {
      await this.syncOnce(cluster, config, me, tags, role, myLsn, replayLsn, now);
    } catch (e) {
      log.error('Exception when changing replication slots: %s', errorText(e));
    }
  }

  private async syncOnce(cluster: Cluster, config: DynamicConfig, me: string, tags: Tags, role: SlotRole, myLsn: number, replayLsn: number, now: number): Promise<void> {
    const major = await this.pg.majorVersion();
    const mine = memberSlotName(me);
    const owners = memberSlotOwners(cluster, me, role, config, tags, major).map(memberSlotName).filter((n) => n !== mine);
    for (const n of owners) this.lastSeen.set(n, now);
    const ttl = major >= 110000 ? config.member_slots_ttl : 0;
    const leaderRetains = retainedSlots(this.lastSeen, now, ttl);
    const memberSlots = role === 'replica'
      ? [...new Set([...owners, ...(ttl > 0 ? cluster.status.retainSlots : [])])].filter((n) => n !== mine)
      : [...new Set([...owners, ...leaderRetains])].filter((n) => n !== mine);
    const permanent = permanentSlotsFor(config, major, role, tags).filter((p) => !(p.type === 'physical' && p.name === mine));

    const existing = await this.pg.listSlots();
    const plan = planSlots(existing, memberSlots, permanent, role, config);
    for (const name of plan.drop) await this.pg.dropSlot(name);
    for (const name of plan.createPhysical) await this.pg.createPhysicalSlot(name);
    for (const l of plan.createLogical) {
      await this.pg.createLogicalSlot(l.name, l.database, l.plugin).catch((e: unknown) => log.error('Failed to create logical replication slot %s: %s', l.name, errorText(e)));
    }

    if (role === 'replica') {
      this.status = null;
      if (major >= 110000) {
        await this.advance(existing, cluster.status.slots, myLsn);
        const logical = permanent.filter((p): p is LogicalSlot => p.type === 'logical');
        this.advancer.schedule(logicalAdvanceTargets(existing, logical, cluster.status.slots, replayLsn));
      }
      return;
    }
    const slots: Record<string, number> = {};
    const after = await this.pg.listSlots();
    for (const s of after) {
      const isPermanent = permanent.some((p) => p.name === s.name);
      if (s.lsn !== null && (isPermanent || (ttl > 0 && memberSlots.includes(s.name)))) slots[s.name] = s.lsn;
    }
    if (ttl > 0 || permanent.some((p) => p.name === mine)) slots[mine] = myLsn;
    this.status = major >= 110000 ? { slots, retainSlots: ttl > 0 ? leaderRetains : [] } : null;
  }

  /** Replicas: inactive physical copies follow the leader's published positions, never past our replay. */
  private async advance(existing: SlotRow[], leaderSlots: Record<string, number>, myLsn: number): Promise<void> {
    for (const s of existing) {
      const target = Math.min(leaderSlots[s.name] ?? 0, myLsn);
      if (s.type !== 'physical' || s.active || s.lsn === null || target <= s.lsn) continue;
      await this.pg.advanceSlot(s.name, target).catch((e: unknown) => log.warning('Failed to advance replication slot %s: %s', s.name, errorText(e)));
    }
  }
}
