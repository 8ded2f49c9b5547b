// Which faults run, in which order (pure, seeded). `short` is the in-suite variant, `quick` every fault
// once per profile, `long` every fault `repeats` times per profile.
import type { Rng } from './rng.js';

export type Profile = 'async' | 'strict';
export type Mode = 'short' | 'quick' | 'long';

export const FAULT_NAMES = [
  'kill-primary',
  'kill-postgres',
  'freeze-node',
  'freeze-daemon',
  'cut-primary-etcd',
  'cut-primary-replicas',
  'stop-etcd',
  'stop-etcd-failsafe',
  'switchover-during-cut',
  'freeze-daemon-watchdog',
  'freeze-daemon-backoff',
  'stuck-shutdown',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/**
 * Profiles each fault runs in. freeze-daemon only under synchronous_mode_strict: with asynchronous
 * replication a primary whose daemon is frozen keeps accepting writes while a replica is promoted
 * after ttl, which only a watchdog can prevent (Patroni behaves the same); freeze-node freezes the
 * whole host instead (daemon and PostgreSQL), which the invariants must survive in both profiles.
 */
export const FAULT_PROFILES: Record<FaultName, readonly Profile[]> = {
  'kill-primary': ['async', 'strict'],
  'kill-postgres': ['async', 'strict'],
  'freeze-node': ['async', 'strict'],
  'freeze-daemon': ['strict'],
  'cut-primary-etcd': ['async', 'strict'],
  'cut-primary-replicas': ['async', 'strict'],
  'stop-etcd': ['async', 'strict'],
  'stop-etcd-failsafe': ['async', 'strict'],
  'switchover-during-cut': ['async', 'strict'],
  // The watchdog is what makes a frozen daemon safe under asynchronous replication.
  'freeze-daemon-watchdog': ['async'],
  'freeze-daemon-backoff': ['async'],
  // primary_stop_timeout only applies in synchronous mode.
  'stuck-shutdown': ['strict'],
};

export const SHORT_PLAN: readonly FaultName[] = ['kill-primary', 'freeze-node', 'cut-primary-etcd'];

export interface PlanItem {
  fault: FaultName;
  profile: Profile;
}

export function buildPlan(mode: Mode, repeats: number, rng: Rng, only?: readonly FaultName[]): PlanItem[] {
  if (mode === 'short') return SHORT_PLAN.map((fault) => ({ fault, profile: 'async' }));
  const times = mode === 'quick' ? 1 : repeats;
  const names = only && only.length > 0 ? FAULT_NAMES.filter((f) => only.includes(f)) : FAULT_NAMES;
  const plan: PlanItem[] = [];
  for (const profile of ['async', 'strict'] as const) {
    const items = names.filter((f) => FAULT_PROFILES[f].includes(profile)).flatMap((fault) => Array.from({ length: times }, () => ({ fault, profile })));
    plan.push(...rng.shuffle(items));
  }
  return plan;
}

export function isFaultName(s: string): s is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(s);
}
