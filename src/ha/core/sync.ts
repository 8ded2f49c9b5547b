// Synchronous replication on the leader (Patroni's SyncHandler, Ha.process_sync_replication), pure: which replicas may be synchronous,
// what synchronous_standby_names and the `sync` key must say, and in which order they change so the
// key never names a standby that lacks an acknowledged commit.
import { nofailover, nosync, replicatefrom, syncPriority } from '../../config/tags.js';
import type { DynamicConfig } from '../../config/types.js';
import type { Member, SyncState } from '../../dcs/cluster.js';
import { ackedLsn, formatStandbyNames, parseStandbyNames, STRICT_PLACEHOLDER, type SyncReading } from '../../postgresql/sync.js';

/** The value written to the `sync` key (Patroni's SyncState). */
export interface SyncKeyValue {
  leader: string;
  members: string[];
  quorum: number;
}

export const lower = (s: string): string => s.toLowerCase();
export const sameNames = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].map(lower).sort().join('\u0000') === [...b].map(lower).sort().join('\u0000');
const has = (list: readonly string[], name: string): boolean => list.some((x) => lower(x) === lower(name));

/** `{"leader":..,"quorum":..,"sync_standby":..}` with sorted, comma-joined names or null. */
export function syncKeyJson(v: SyncKeyValue): string {
  const names = [...v.members].sort();
  return JSON.stringify({ leader: v.leader, quorum: v.quorum, sync_standby: names.length ? names.join(',') : null });
}

/** Sync processing applies: synchronous_mode on or quorum (dynamic.ts already turns it off in standby clusters). */
export const syncModeOn = (config: DynamicConfig): boolean => config.synchronous_mode !== 'off';

/** The leader published itself in `sync`: only members listed there may be promoted (Ha.is_healthiest_node). */
export const syncActive = (config: DynamicConfig, sync: SyncState): boolean => syncModeOn(config) && !!sync.leader;

/** sync.matches(name, check_leader=true) */
export const listedInSync = (sync: SyncState, name: string): boolean => has(sync.members, name) || (!!sync.leader && lower(sync.leader) === lower(name));

export interface SelectInput {
  me: string;
  members: readonly Member[];
  reading: SyncReading;
  /** synchronous_node_count (multisync), or Infinity for quorum where every healthy replica votes. */
  count: number;
  maximumLagOnSyncnode: number;
  syncKey: SyncState;
  /** Connections (`readyKey`) already seen to hold every commit acknowledged before the last names change. */
  ready: ReadonlySet<string>;
  /** Primary WAL position when synchronous_standby_names last changed. */
  lsnAtChange: number;
}

export interface Selection {
  /** Replicas that should be listed in synchronous_standby_names, best first. */
  candidates: string[];
  /** Candidates that PostgreSQL reports synchronous and that hold every acknowledged commit. */
  sync: string[];
  /** Updated `ready` set. */
  ready: Set<string>;
}

/** A replica connection: a reconnect must prove again that it caught up. */
export const readyKey = (name: string, pid: number): string => `${lower(name)}:${pid}`;

const SYNC_STATE_RANK: Record<string, number> = { sync: 3, quorum: 2, potential: 1, async: 0 };

/** SyncHandler.current_state: candidates ordered by priority, sync state and position. */
export function selectSync(s: SelectInput): Selection {
  const { reading } = s;
  const byName = new Map(s.members.map((m) => [lower(m.name), m]));
  const listed = new Set(parseStandbyNames(reading.standbyNames).members.map(lower));
  const rows = reading.replicas.flatMap((r) => {
    const m = byName.get(lower(r.applicationName));
    const lsn = ackedLsn(r, reading.synchronousCommit);
    if (!m || lsn === null || r.state !== 'streaming' || lower(m.name) === lower(s.me)) return [];
    if (m.data.state !== 'running' || nosync(m.data.tags)) return [];
    const from = replicatefrom(m.data.tags);
    if (from && lower(from) !== lower(s.me) && byName.has(lower(from))) return [];
    return [{ name: m.name, pid: r.pid, syncState: r.syncState, lsn, priority: syncPriority(m.data.tags), nofailover: nofailover(m.data.tags) }];
  });
  rows.sort(
    (a, b) =>
      Number(a.nofailover) - Number(b.nofailover) ||
      b.priority - a.priority ||
      (SYNC_STATE_RANK[b.syncState] ?? 0) - (SYNC_STATE_RANK[a.syncState] ?? 0) ||
      b.lsn - a.lsn,
  );
  const maxLsn = rows.length > 1 ? Math.max(...rows.map((r) => r.lsn)) : reading.walLsn;
  const ready = new Set([...s.ready].filter((k) => listed.has(k.slice(0, k.lastIndexOf(':')))));
  const candidates: string[] = [];
  const sync: string[] = [];
  for (const r of rows) {
    const key = readyKey(r.name, r.pid);
    const name = lower(r.name);
    const confirmed = r.syncState === 'sync' || r.syncState === 'quorum';
    if (!ready.has(key) && listed.has(name) && (has(s.syncKey.members, r.name) || (confirmed && r.lsn >= s.lsnAtChange))) ready.add(key);
    if (s.maximumLagOnSyncnode <= 0 || maxLsn - r.lsn <= s.maximumLagOnSyncnode) {
      candidates.push(r.name);
      if (confirmed && ready.has(key)) sync.push(r.name);
    }
    if (candidates.length >= s.count) break;
  }
  return { candidates, sync, ready };
}

/** Ha._process_multisync_replication, strict mode without a connected member (Patroni 4.1's text). */
export const NO_STRICT_STANDBYS = 'No active replication connections from Patroni members and synchronous_mode_strict is requested';

/** One multisync step: what to do with the key before, the names, and the key after (Ha._process_multisync_replication). */
export type MultisyncPlan =
  /** Strict mode with nobody to wait for: keep (or start) blocking commits. */
  | { kind: 'block'; standbyNames: string }
  | {
      kind: 'update';
      /** Shrink the key to members still confirmed synchronous, before anything else changes. */
      shrinkTo: string[] | null;
      standbyNames: string | null;
    };

/**
 * `currentNames`: synchronous_standby_names in effect. Strict mode with nobody connected keeps
 * them as they are (Patroni 4.1 warns and leaves them, so commits wait); only empty names are
 * replaced, by the key's members or the placeholder.
 */
export function planMultisync(config: DynamicConfig, syncKey: SyncState, sel: Selection, currentNames = ''): MultisyncPlan {
  if (config.synchronous_mode_strict && sel.candidates.length === 0) {
    const keep = currentNames.trim() ? currentNames : null;
    return {
      kind: 'block',
      standbyNames: keep ?? formatStandbyNames('priority', syncKey.members.length ? syncKey.members : [STRICT_PLACEHOLDER]) ?? STRICT_PLACEHOLDER,
    };
  }
  const common = syncKey.members.filter((m) => has(sel.sync, m));
  return {
    kind: 'update',
    shrinkTo: sameNames(common, syncKey.members) ? null : common,
    standbyNames: formatStandbyNames('priority', sel.candidates),
  };
}

/** After the names settled: the confirmed synchronous standbys to publish, or null to leave the key. */
export function confirmedMultisync(syncKey: readonly string[], sel: Selection): string[] | null {
  return sel.sync.length > 0 && !sameNames(sel.sync, syncKey) ? [...sel.sync] : null;
}

/**
 * Pre-promote (Ha.process_sync_replication_prepromote): the `sync` key and synchronous_standby_names a replica sets before it
 * promotes, so commits it acknowledges as primary are protected exactly as the old leader's were.
 */
export function syncBeforePromote(config: DynamicConfig, syncKey: SyncState, me: string): { key: SyncKeyValue; standbyNames: string | null } | null {
  if (!syncModeOn(config)) return null;
  const others = syncKey.members.filter((m) => lower(m) !== lower(me));
  if (config.synchronous_mode === 'quorum') {
    const wasVoter = has(syncKey.members, me);
    const minSync = config.synchronous_mode_strict ? 1 : 0;
    const num = Math.max(syncKey.members.length - syncKey.quorum - 1 + (wasVoter ? 0 : 1), minSync);
    const names = others.length ? others : minSync ? [STRICT_PLACEHOLDER] : [];
    return {
      key: { leader: me, members: others, quorum: Math.min(syncKey.quorum, others.length) },
      standbyNames: num > 0 ? formatStandbyNames('quorum', names, Math.min(num, names.length)) : null,
    };
  }
  if (!config.synchronous_mode_strict) return { key: { leader: me, members: [], quorum: 0 }, standbyNames: null };
  return {
    key: { leader: me, members: others, quorum: 0 },
    standbyNames: formatStandbyNames('priority', others.length ? others : [STRICT_PLACEHOLDER]),
  };
}
