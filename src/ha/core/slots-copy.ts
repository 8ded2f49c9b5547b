// Logical slots surviving a failover (Patroni's SlotsHandler.copy_logical_slots): a replica that may be
// promoted gets a copy of each permanent logical slot the leader publishes in status.slots, made
// from the primary's slot state file. Pure: which slots to copy, and the task that copies them.
import type { PrimarySlotState } from '../../postgresql/slot-copy.js';
import type { Action, Decision } from './decision.js';
import type { HaInput } from './input.js';
import { permanentSlotsFor, type LogicalSlot } from './slots.js';
import { isStandbyCluster } from './standby.js';
import { nodeToFollow, upstreamOf } from './upstream.js';

/**
 * Permanent logical slots missing here, or whose copy here cannot decode (SlotsAdvanceThread's
 * _copy_slots), while the leader published a position for them: only those are copied (a position
 * means the slot exists on the primary). Replicas only, with a known leader.
 */
export function logicalSlotsToCopy(input: HaInput): LogicalSlot[] {
  const { pg, cluster, me, config, memory, localSlots } = input;
  const server = pg.server;
  if (!server?.inRecovery || !localSlots || !cluster.leader || cluster.leader.name === me.name) return [];
  if (!config.use_slots || isStandbyCluster(config) || memory.role === 'promoted' || memory.role === 'standby_leader') return [];
  const present = new Set(localSlots.filter((s) => !s.needsCopy).map((s) => s.name));
  const published = cluster.status.slots;
  return permanentSlotsFor(config, server.serverVersion, 'replica', me.tags).filter(
    (p): p is LogicalSlot => p.type === 'logical' && !present.has(p.name) && published[p.name] !== undefined,
  );
}

/** Patroni formats the names as a Python list: `['a', 'b']`. */
export const copyingMessage = (slots: LogicalSlot[]) => `Copying logical slots [${slots.map((s) => `'${s.name}'`).join(', ')}] from the primary`;

/**
 * Step 14 after the cycle's own decision: start copy_logical_slots unless the cycle already started
 * long work. Its message replaces the cycle's, as in Patroni.
 */
export function withSlotCopy(input: HaInput, d: Decision): Decision {
  const slots = logicalSlotsToCopy(input);
  const leader = input.cluster.leader;
  const from = leader ? upstreamOf(leader.member ?? input.cluster.members.find((m) => m.name === leader.name)) : null;
  if (slots.length === 0 || !from) return d;
  const upstream = nodeToFollow(input.cluster, input.me.name, input.me.tags);
  const copy: Action = { type: 'run_async', task: { kind: 'copy_logical_slots', name: 'copy_logical_slots', slots, from, upstream } };
  const apply = (x: Decision): Decision => {
    if (x.branch) return { ...x, branch: { ...x.branch, onSuccess: apply(x.branch.onSuccess), onFailure: apply(x.branch.onFailure) } };
    if (x.actions.some((a) => a.type === 'run_async' || a.type === 'stop_postgres' || a.type === 'exit')) return x;
    return { ...x, actions: [...x.actions, copy], message: copyingMessage(slots) };
  };
  return apply(d);
}

/**
 * The primary's slots that may be copied: logical, and of the database and plugin the config asks
 * for; a mismatch is left alone with a warning (Patroni's compare_slots).
 */
export function copyableSlots(states: PrimarySlotState[], wanted: LogicalSlot[]): { copy: PrimarySlotState[]; mismatched: PrimarySlotState[] } {
  const copy: PrimarySlotState[] = [];
  const mismatched: PrimarySlotState[] = [];
  for (const s of states) {
    const w = wanted.find((x) => x.name === s.name);
    if (!w) continue;
    if (s.type === 'logical' && s.database === w.database && s.plugin === w.plugin) copy.push(s);
    else mismatched.push(s);
  }
  return { copy, mismatched };
}
