// Quorum commit (Patroni's QuorumStateResolver), pure. PostgreSQL acknowledges a commit once `numsync` of the
// names in `ANY numsync (...)` have it; a replica may promote with `quorum` votes among the voters
// in the `sync` key. Every step keeps "any acknowledging set meets any promoting set": the key is
// widened before the names change and narrowed only once the new names hold every commit.
import { formatStandbyNames, parseStandbyNames, STRICT_PLACEHOLDER } from '../../postgresql/sync.js';
import type { SyncState } from '../../dcs/cluster.js';
import { lower, sameNames, type Selection, type SyncKeyValue } from './sync.js';

/**
 * The smallest `quorum` that keeps promotions safe for voters V while PostgreSQL acknowledges with
 * n of S: a promoting set (quorum+1 voters) must meet every acknowledging set. |V| when no quorum
 * can (nobody may promote then).
 */
export function requiredQuorum(standbys: readonly string[], numsync: number, voters: readonly string[]): number {
  const v = new Set(voters.map(lower));
  const outside = new Set(standbys.map(lower).filter((s) => !v.has(s))).size;
  if (numsync <= 0 || outside >= numsync) return v.size;
  return Math.max(0, v.size - numsync + outside);
}

export type QuorumPlan =
  /**
   * Strict mode with no healthy replica: commits wait. `standbyNames` replaces empty names with
   * ANY 1 (placeholder) (min_synchronous_nodes of Ha._process_quorum_replication); null keeps them.
   */
  | { kind: 'block'; standbyNames: string | null }
  | {
      kind: 'update';
      /** Widen the key first (more voters and/or a higher quorum); null when it already covers both states. */
      widen: SyncKeyValue | null;
      /** The names PostgreSQL should use: ANY numsync (active). */
      standbyNames: { members: string[]; numsync: number };
      /** The key once every active replica holds every commit; null when nothing changes. */
      settle: SyncKeyValue | null;
    };

/** Ha._process_quorum_replication when fewer standbys than min_synchronous_nodes answer (strict: 1). */
export const quorumFactorWarning = (available: number): string =>
  `Replication factor 2 requested, but ${available} synchronous standbys available. Commits will be delayed.`;

export interface QuorumInput {
  me: string;
  syncKey: SyncState;
  /** current synchronous_standby_names */
  standbyNames: string;
  synchronousNodeCount: number;
  strict: boolean;
  sel: Selection;
}

export function planQuorum(q: QuorumInput): QuorumPlan {
  const active = q.sel.candidates;
  const current = parseStandbyNames(q.standbyNames);
  if (q.strict && active.length === 0) {
    return { kind: 'block', standbyNames: current.kind === 'off' ? formatStandbyNames('quorum', [STRICT_PLACEHOLDER], 1) : null };
  }
  const numsync = Math.min(q.synchronousNodeCount, active.length);
  const curNum = current.kind === 'off' ? 0 : current.num;
  const voters = q.syncKey.leader && lower(q.syncKey.leader) === lower(q.me) ? q.syncKey.members : [];
  const wideVoters = union(voters, active);
  const wideQuorum = Math.max(requiredQuorum(current.members, curNum, wideVoters), requiredQuorum(active, numsync, wideVoters));
  const keyNow: SyncKeyValue = { leader: q.me, members: voters, quorum: q.syncKey.quorum };
  const widened: SyncKeyValue = { leader: q.me, members: wideVoters, quorum: Math.max(wideQuorum, keyNow.quorum) };
  const target: SyncKeyValue = { leader: q.me, members: [...active], quorum: active.length - numsync };
  const allReady = active.every((a) => q.sel.sync.some((s) => lower(s) === lower(a)));
  return {
    kind: 'update',
    widen: sameKey(widened, keyNow) && q.syncKey.leader ? null : widened,
    standbyNames: { members: [...active], numsync },
    settle: allReady && !sameKey(target, widened) ? target : null,
  };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const out = [...a];
  for (const x of b) if (!out.some((y) => lower(y) === lower(x))) out.push(x);
  return out.sort();
}

const sameKey = (a: SyncKeyValue, b: SyncKeyValue): boolean => lower(a.leader) === lower(b.leader) && a.quorum === b.quorum && sameNames(a.members, b.members);
