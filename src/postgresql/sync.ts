// synchronous_standby_names syntax and the primary's view of its synchronous replicas: the query
// the leader runs each cycle in synchronous mode and the pure builders around it.

/** A streaming replica as the primary sees it in pg_stat_replication. */
export interface ReplicaProgress {
  pid: number;
  applicationName: string;
  state: string;
  /** async | potential | sync | quorum */
  syncState: string;
  writeLsn: number | null;
  flushLsn: number | null;
  replayLsn: number | null;
}

/** What the synchronous-replication step reads from a primary, in one round trip. */
export interface SyncReading {
  inRecovery: boolean;
  /** current synchronous_standby_names */
  standbyNames: string;
  synchronousCommit: string;
  /** pg_current_wal_lsn() in bytes (0 in recovery). */
  walLsn: number;
  replicas: ReplicaProgress[];
}

export const SYNC_READING_QUERY = `SELECT pg_catalog.pg_is_in_recovery() AS in_recovery,
  pg_catalog.current_setting('synchronous_standby_names') AS ssn,
  pg_catalog.current_setting('synchronous_commit') AS sc,
  CASE WHEN pg_catalog.pg_is_in_recovery() THEN '0'
       ELSE pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), '0/0')::text END AS wal_lsn,
  (SELECT pg_catalog.json_agg(r.*) FROM (SELECT pid, application_name, state, sync_state,
      pg_catalog.pg_wal_lsn_diff(write_lsn, '0/0')::text AS write_lsn,
      pg_catalog.pg_wal_lsn_diff(flush_lsn, '0/0')::text AS flush_lsn,
      pg_catalog.pg_wal_lsn_diff(replay_lsn, '0/0')::text AS replay_lsn
    FROM pg_catalog.pg_stat_replication ORDER BY application_name) r) AS replication`;

export interface SyncReadingRow {
  in_recovery: boolean;
  ssn: string;
  sc: string;
  wal_lsn: string;
  replication:
    | {
        pid: number;
        application_name: string;
        state: string;
        sync_state: string;
        write_lsn: string | null;
        flush_lsn: string | null;
        replay_lsn: string | null;
      }[]
    | null;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

export function toSyncReading(r: SyncReadingRow): SyncReading {
  return {
    inRecovery: r.in_recovery,
    standbyNames: r.ssn,
    synchronousCommit: r.sc,
    walLsn: Number(r.wal_lsn),
    replicas: (r.replication ?? []).map((x) => ({
      pid: x.pid,
      applicationName: x.application_name,
      state: x.state,
      syncState: x.sync_state,
      writeLsn: num(x.write_lsn),
      flushLsn: num(x.flush_lsn),
      replayLsn: num(x.replay_lsn),
    })),
  };
}

/** The LSN a commit waits for under this synchronous_commit (Patroni's sort column). */
export function ackedLsn(r: ReplicaProgress, synchronousCommit: string): number | null {
  if (synchronousCommit === 'remote_apply') return r.replayLsn;
  if (synchronousCommit === 'remote_write') return r.writeLsn;
  return r.flushLsn;
}

/** Never a real member: keeps a strict-mode primary waiting when no standby qualifies. */
export const STRICT_PLACEHOLDER = '__patroni_strict_sync_replica_placeholder__';

const PLAIN_NAME = /^[A-Za-z_][A-Za-z_0-9$]*$/;

/** Quoted as an identifier only when needed, and always for the keywords `first`/`any`. */
export function quoteStandbyName(name: string): string {
  if (PLAIN_NAME.test(name) && !['first', 'any'].includes(name.toLowerCase())) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

export type SsnKind = 'priority' | 'quorum';

/**
 * synchronous_standby_names for these members: a single name, `FIRST n (a,b)` for priority
 * (multisync) or `ANY n (a,...)` for quorum commit; null when nobody is listed.
 */
export function formatStandbyNames(kind: SsnKind, names: readonly string[], num?: number): string | null {
  if (names.length === 0) return null;
  const quoted = [...names].sort().map(quoteStandbyName);
  if (kind === 'quorum') return `ANY ${num ?? quoted.length} (${quoted.join(',')})`;
  if (quoted.length === 1) return quoted[0] ?? null;
  return `FIRST ${num ?? quoted.length} (${quoted.join(',')})`;
}

export interface ParsedStandbyNames {
  kind: SsnKind | 'off';
  num: number;
  members: string[];
}

/** Enough of PostgreSQL's grammar to know which names a value lists (lower-cased for comparison). */
export function parseStandbyNames(value: string): ParsedStandbyNames {
  const v = value.trim();
  if (!v) return { kind: 'off', num: 0, members: [] };
  const m = /^(?:(first|any)\s+)?(\d+)\s*\((.*)\)$/is.exec(v);
  const kind: SsnKind = m?.[1]?.toLowerCase() === 'any' ? 'quorum' : 'priority';
  const list = m ? (m[3] ?? '') : v;
  const members = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s)
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase()));
  return { kind, num: m ? Number(m[2]) : 1, members };
}
