// The one monitoring round trip per HA cycle (Patroni's cluster_info_query, PG10+ names) and the
// pure mapping of its row into RunningServer.
import type { ReplicationRow, RunningServer } from './snapshot.js';
import type { ReplicationState } from '../dcs/cluster.js';
import { parseDsn } from './conninfo.js';
import { RECOVERY_PARAMETERS } from './parameters.js';

const TS = `'YYYY-MM-DD HH24:MI:SS.US'`;

export const SNAPSHOT_QUERY = `SELECT
  pg_catalog.pg_is_in_recovery() AS in_recovery,
  CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL
       ELSE ('x' || pg_catalog.substr(pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS primary_tli,
  (pg_catalog.pg_control_checkpoint()).timeline_id AS checkpoint_tli,
  CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL
       ELSE pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_flush_lsn(), '0/0')::text END AS flush_lsn,
  pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), '0/0')::text AS receive_lsn,
  pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_replay_lsn(), '0/0')::text AS replay_lsn,
  pg_catalog.to_char(pg_catalog.pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', ${TS}) AS replay_ts,
  pg_catalog.pg_is_in_recovery() AND pg_catalog.pg_is_wal_replay_paused() AS replay_paused,
  w.status AS receiver_status,
  CASE WHEN w.latest_end_lsn IS NULL THEN NULL ELSE w.received_tli END AS received_tli,
  pg_catalog.pg_wal_lsn_diff(w.latest_end_lsn, '0/0')::text AS latest_end_lsn,
  pg_catalog.current_setting('restore_command') AS restore_command,
  pg_catalog.current_setting('primary_conninfo') AS primary_conninfo,
  pg_catalog.current_setting('server_version_num')::int AS server_version,
  pg_catalog.to_char(pg_catalog.pg_postmaster_start_time() AT TIME ZONE 'UTC', ${TS}) AS start_time,
  (SELECT pg_catalog.json_agg(r.*) FROM (SELECT usename, application_name, client_addr::text AS client_addr, state,
      sync_state, sync_priority FROM pg_catalog.pg_stat_replication ORDER BY application_name) r) AS replication,
  (SELECT pg_catalog.json_agg(p.*) FROM (SELECT s.name, pg_catalog.current_setting(s.name) AS old_value,
      (SELECT f.setting FROM pg_catalog.pg_file_settings f WHERE f.name = s.name ORDER BY f.seqno DESC LIMIT 1) AS new_value
      FROM pg_catalog.pg_settings s WHERE s.pending_restart) p) AS pending
FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_stat_get_wal_receiver() AS w ON true`;

export interface SnapshotRow {
  in_recovery: boolean;
  primary_tli: number | null;
  checkpoint_tli: number | null;
  flush_lsn: string | null;
  receive_lsn: string | null;
  replay_lsn: string | null;
  replay_ts: string | null;
  replay_paused: boolean | null;
  receiver_status: string | null;
  received_tli: number | null;
  latest_end_lsn: string | null;
  restore_command: string | null;
  primary_conninfo: string | null;
  server_version: number;
  start_time: string | null;
  replication: ReplicationRow[] | null;
  pending: { name: string; old_value: string; new_value: string | null }[] | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));

/** Python's str(datetime) drops a zero microsecond part. */
export const pyTimestamp = (t: string) => `${t.endsWith('.000000') ? t.slice(0, -7) : t}+00:00`;

export function replicationStateOf(inRecovery: boolean, receiverStatus: string | null, restoreCommand: string | null): ReplicationState | null {
  if (!inRecovery) return null;
  if (receiverStatus === 'streaming') return 'streaming';
  return restoreCommand ? 'in archive recovery' : null;
}

export function toRunningServer(r: SnapshotRow): RunningServer {
  const receive = num(r.receive_lsn);
  const replay = num(r.replay_lsn);
  const pendingRestart: RunningServer['pendingRestart'] = {};
  // Recovery settings are Patroni's to write (and ignored on a primary): never a restart to ask for.
  for (const p of r.pending ?? []) {
    if (!RECOVERY_PARAMETERS.has(p.name)) pendingRestart[p.name] = { old_value: p.old_value, new_value: p.new_value ?? '' };
  }
  const conninfo = r.primary_conninfo ? parseDsn(r.primary_conninfo) : {};
  return {
    inRecovery: r.in_recovery,
    timeline: (r.in_recovery ? (r.received_tli ?? r.checkpoint_tli) : r.primary_tli) ?? 0,
    walLsn: r.in_recovery ? Math.max(receive ?? 0, replay ?? 0) : (num(r.flush_lsn) ?? 0),
    receiveLsn: receive,
    replayLsn: replay,
    replayedTimestamp: r.replay_ts ? pyTimestamp(r.replay_ts) : null,
    replayPaused: r.replay_paused === true,
    latestEndLsn: num(r.latest_end_lsn),
    replicationState: replicationStateOf(r.in_recovery, r.receiver_status, r.restore_command),
    serverVersion: r.server_version,
    postmasterStartTime: r.start_time ? pyTimestamp(r.start_time) : '',
    followingHost: r.in_recovery ? (conninfo.host ?? null) : null,
    replication: r.replication ?? [],
    pendingRestart,
  };
}
