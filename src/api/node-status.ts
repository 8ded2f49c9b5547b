// The node status object of GET /patroni and every GET health check, as Patroni's
// RestApiHandler.get_postgresql_status builds it. Pure: built from one PostgresSnapshot plus the
// daemon's cached state; key order is the wire order peers and tools see.
import type { Cluster, MemberRole, PostgresState, RestartReason } from '../dcs/cluster.js';
import type { DynamicConfig } from '../config/types.js';
import type { PostgresSnapshot, ReplicationRow, RunningServer } from '../postgresql/snapshot.js';
import type { JsonObject } from '../util/json.js';

export interface PrimaryXlog {
  location: number;
}
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

/** The part that needs the SQL answer: role, versions, WAL positions, sync flags, timeline, senders. */
function serverPart(inp: NodeStatusInput, server: RunningServer): Omit<NodeStatus, 'state' | 'dcs_last_seen' | 'patroni'> {
  const { cluster, dynamic } = inp;
  let role = server.inRecovery ? 'replica' : 'primary';
  if (role === 'replica' && dynamic.standby_cluster !== null) role = inp.internalRole;
  const syncMode = dynamic.synchronous_mode;
  const listed = role === 'replica' && syncMode !== 'off' && cluster?.sync.members.some((m) => m.toLowerCase() === inp.identity.name.toLowerCase()) === true;
  const xlog: PrimaryXlog | ReplicaXlog = server.inRecovery
    ? {
        received_location: server.receiveLsn ?? server.replayLsn ?? 0,
        replayed_location: server.replayLsn ?? 0,
        replayed_timestamp: server.replayedTimestamp,
        paused: server.replayPaused,
      }
    : { location: server.walLsn };
  return {
    postmaster_start_time: server.postmasterStartTime,
    role,
    server_version: server.serverVersion,
    xlog,
    ...(listed && syncMode === 'on' ? { sync_standby: true as const } : {}),
    ...(listed && syncMode === 'quorum' ? { quorum_standby: true as const } : {}),
    timeline: server.inRecovery ? inp.replicaTimeline : server.timeline,
    ...(server.inRecovery && server.replicationState ? { replication_state: server.replicationState } : {}),
    ...(server.replication.length > 0 ? { replication: server.replication } : {}),
  };
}

export function buildNodeStatus(inp: NodeStatusInput): NodeStatusReport {
  const { snapshot, cluster } = inp;
  const server = QUERYABLE.has(snapshot.state) ? snapshot.server : null;
  // The postmaster should answer but did not: Patroni reports `unknown` rather than a stale `running`.
  const state = !server && snapshot.state === 'running' ? 'unknown' : snapshot.state;
  const sysid = systemIdentifier(snapshot);
  const pending = server?.pendingRestart ?? {};
  const hasPending = Object.keys(pending).length > 0;
  const logger = inp.logger && inp.logger.queueSize > 0 ? inp.logger : null;
  const status: NodeStatus = {
    state,
    ...(server ? serverPart(inp, server) : { role: inp.internalRole }),
    ...(inp.dynamic.pause ? { pause: true as const } : {}),
    ...(!cluster || !cluster.leader ? { cluster_unlocked: true as const } : {}),
    ...(inp.failsafeActive ? { failsafe_mode_is_active: true as const } : {}),
    dcs_last_seen: inp.dcsLastSeen,
    ...(Object.keys(inp.tags).length > 0 ? { tags: inp.tags } : {}),
    ...(sysid ? { database_system_identifier: sysid } : {}),
    ...(hasPending ? { pending_restart: true as const, pending_restart_reason: pending } : {}),
    patroni: { ...inp.identity },
    ...(inp.scheduledRestart ? { scheduled_restart: inp.scheduledRestart } : {}),
    ...(inp.watchdogHealthy === false ? { watchdog_failed: true as const } : {}),
    ...(logger ? { logger_queue_size: logger.queueSize } : {}),
    ...(logger && logger.recordsLost > 0 ? { logger_records_lost: logger.recordsLost } : {}),
  };
  return { status, latestEndLsn: server?.latestEndLsn ?? 0 };
}

function systemIdentifier(snapshot: PostgresSnapshot): string | null {
  const dir = snapshot.dataDir;
  return dir.kind === 'present' ? dir.sysid : null;
}
