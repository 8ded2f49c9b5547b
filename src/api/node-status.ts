// The node status object of GET /patroni and every GET health check (rest-api.md §5). Pure: built from
// one PostgresSnapshot plus the daemon's cached state; key order is the wire order peers and tools see.
import type { Cluster, MemberRole, PostgresState, RestartReason } from '../dcs/cluster.js';
import type { DynamicConfig } from '../config/types.js';
import type { PostgresSnapshot, ReplicationRow } from '../postgresql/snapshot.js';
import type { JsonObject } from '../util/json.js';

export interface PrimaryXlog { location: number }
export interface ReplicaXlog {
  received_location: number;
  replayed_location: number;
  replayed_timestamp: string | null;
  paused: boolean;
}

export interface NodeStatus {
  state: PostgresState | 'unknown';
  postmaster_start_time?: string;
  role: string;
  server_version?: number;
  xlog?: PrimaryXlog | ReplicaXlog;
  sync_standby?: true;
  quorum_standby?: true;
  timeline?: number | null;
  replication_state?: string;
  replication?: ReplicationRow[];
  pause?: true;
  cluster_unlocked?: true;
  failsafe_mode_is_active?: true;
  dcs_last_seen: number;
  tags?: JsonObject;
  database_system_identifier?: string;
  pending_restart?: true;
  pending_restart_reason?: Record<string, RestartReason>;
  patroni: { version: string; scope: string; name: string };
  scheduled_restart?: JsonObject;
  watchdog_failed?: true;
  logger_queue_size?: number;
  logger_records_lost?: number;
}

/** The status plus what health checks need but never publish (the WAL receiver's latest end LSN). */
export interface NodeStatusReport {
  status: NodeStatus;
  latestEndLsn: number;
}

export interface NodeStatusInput {
  snapshot: PostgresSnapshot;
  /** Patroni's internal role for this node (reported when the query failed, or on a standby cluster). */
  internalRole: MemberRole;
  cluster: Cluster | null;
  dynamic: DynamicConfig;
  /** Replica timeline learnt from the leader (replicas do not know their own timeline cheaply). */
  replicaTimeline: number | null;
  failsafeActive: boolean;
  /** Epoch seconds of the last successful DCS read, 0 if never. */
  dcsLastSeen: number;
  /** Effective tags as published (already filtered). */
  tags: JsonObject;
  identity: { version: string; scope: string; name: string };
  /** Scheduled restart as stored in memory, `schedule` already an ISO string; internal keys removed. */
  scheduledRestart?: JsonObject | null;
  watchdogHealthy?: boolean;
  logger?: { queueSize: number; recordsLost: number } | null;
}

const QUERYABLE: ReadonlySet<string> = new Set(['running', 'restarting', 'starting']);

export function buildNodeStatus(inp: NodeStatusInput): NodeStatusReport {
  const { snapshot, cluster, dynamic } = inp;
  const server = QUERYABLE.has(snapshot.state) ? snapshot.server : null;
  const status = { state: snapshot.state } as NodeStatus;
  let latestEndLsn = 0;

  if (server) {
    status.postmaster_start_time = server.postmasterStartTime;
    let role = server.inRecovery ? 'replica' : 'primary';
    if (role === 'replica' && dynamic.standby_cluster !== null) role = inp.internalRole;
    status.role = role;
    status.server_version = server.serverVersion;
    status.xlog = server.inRecovery
      ? {
          received_location: server.receiveLsn ?? server.replayLsn ?? 0,
          replayed_location: server.replayLsn ?? 0,
          replayed_timestamp: server.replayedTimestamp,
          paused: server.replayPaused,
        }
      : { location: server.walLsn };
    const syncMode = dynamic.synchronous_mode;
    if (role === 'replica' && syncMode !== 'off' && cluster?.sync.members.includes(inp.identity.name)) {
      if (syncMode === 'quorum') status.quorum_standby = true;
      else status.sync_standby = true;
    }
    status.timeline = server.inRecovery ? inp.replicaTimeline : server.timeline;
    if (server.inRecovery && server.replicationState) status.replication_state = server.replicationState;
    if (server.replication.length > 0) status.replication = server.replication;
    latestEndLsn = server.latestEndLsn ?? 0;
  } else {
    // The postmaster should answer but did not: Patroni reports `unknown` rather than a stale `running`.
    if (snapshot.state === 'running') status.state = 'unknown';
    status.role = inp.internalRole;
  }

  if (dynamic.pause) status.pause = true;
  if (!cluster || !cluster.leader) status.cluster_unlocked = true;
  if (inp.failsafeActive) status.failsafe_mode_is_active = true;
  status.dcs_last_seen = inp.dcsLastSeen;
  if (Object.keys(inp.tags).length > 0) status.tags = inp.tags;
  const sysid = systemIdentifier(snapshot);
  if (sysid) status.database_system_identifier = sysid;
  const pending = server?.pendingRestart ?? {};
  if (Object.keys(pending).length > 0) {
    status.pending_restart = true;
    status.pending_restart_reason = pending;
  }
  status.patroni = { ...inp.identity };
  if (inp.scheduledRestart) status.scheduled_restart = inp.scheduledRestart;
  if (inp.watchdogHealthy === false) status.watchdog_failed = true;
  if (inp.logger && inp.logger.queueSize > 0) {
    status.logger_queue_size = inp.logger.queueSize;
    if (inp.logger.recordsLost > 0) status.logger_records_lost = inp.logger.recordsLost;
  }
  return { status, latestEndLsn };
}

function systemIdentifier(snapshot: PostgresSnapshot): string | null {
  const dir = snapshot.dataDir;
  return dir.kind === 'present' ? dir.sysid : null;
}
