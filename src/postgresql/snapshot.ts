// What the HA core knows about the local PostgreSQL at the start of a cycle: pure data, read once
// per cycle by the Postgres controller (controller.ts) and handed to decide().
import type { PostgresState, ReplicationState } from '../dcs/cluster.js';

export type DataDirState =
  | { kind: 'empty' }
  | { kind: 'inaccessible'; error: string }
  /** A data directory: sysid from pg_control (null when pg_controldata fails). */
  | { kind: 'present'; sysid: string | null; controlData: ControlData | null };

/** The parts of pg_controldata the HA logic reads. */
export interface ControlData {
  /** "Database cluster state", e.g. `in production`, `shut down`, `shut down in recovery`, `in archive recovery`. */
  clusterState: string;
  systemIdentifier: string;
  timeline: number;
  /** Latest checkpoint location in bytes. */
  checkpointLsn: number;
  /** Minimum recovery ending location in bytes (replicas). */
  minRecoveryLsn: number;
  walLogHints: boolean;
  dataChecksums: boolean;
  /** Every raw line, for reports and later checks. */
  raw: Record<string, string>;
}

/** The running server, when a query succeeded. */
export interface RunningServer {
  inRecovery: boolean;
  timeline: number;
  /** Primary: pg_current_wal_flush_lsn(); replica: max(receive, replay). Bytes. */
  walLsn: number;
  receiveLsn: number | null;
  replayLsn: number | null;
  replayedTimestamp: string | null;
  replayPaused: boolean;
  /** WAL receiver's latest_end_lsn, for the REST lag checks. */
  latestEndLsn: number | null;
  replicationState: ReplicationState | null;
  serverVersion: number;
  postmasterStartTime: string;
  /** application_name of the upstream in primary_conninfo as configured now (replicas). */
  followingHost: string | null;
  replication: ReplicationRow[];
  pendingRestart: Record<string, { old_value: string; new_value: string }>;
}

export interface ReplicationRow {
  usename: string;
  application_name: string;
  client_addr: string | null;
  state: string;
  sync_state: string;
  sync_priority: number;
}

export interface PostgresSnapshot {
  dataDir: DataDirState;
  /** A postmaster process for our data dir exists. */
  postmasterRunning: boolean;
  /** Patroni's state string for this node (`running`, `stopped`, `starting`, `crashed`...). */
  state: PostgresState;
  /** Present when the postmaster runs and accepted a query this cycle. */
  server: RunningServer | null;
  /** Error text when the server should be up but the query failed. */
  queryError?: string;
}
