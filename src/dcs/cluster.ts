// The cluster as read from the DCS: one immutable snapshot per read. Every backend parses its raw
// keys into this shape (see parse.ts), so the HA core, the REST API and patronictl never see a backend.
import type { JsonObject } from '../util/json.js';

/** Role a member publishes in its key. `master` from old Patroni versions is read as `primary`. */
export type MemberRole = 'primary' | 'replica' | 'standby_leader' | 'demoted' | 'promoted' | 'uninitialized';

/** PostgreSQL state strings exactly as Patroni publishes them (members/<name>.state, /patroni state). */
/** Patroni's PostgresqlState values, in its enum order (the metrics number them by position). */
export const POSTGRES_STATES = [
  'initializing new cluster',
  'initdb failed',
  'running custom bootstrap script',
  'custom bootstrap failed',
  'creating replica',
  'running',
  'starting',
  'starting after custom bootstrap',
  'start failed',
  'restarting',
  'restart failed',
  'stopping',
  'stopped',
  'stop failed',
  'crashed',
] as const;

export type PostgresState = (typeof POSTGRES_STATES)[number];

export type ReplicationState = 'streaming' | 'in archive recovery';

export interface RestartReason {
  old_value: string;
  new_value: string;
}

/**
 * The JSON value of members/<name> (written by Patroni's Ha.touch_member). Unknown fields are kept in
 * `extra` for round-trips.
 */
export interface MemberData {
  conn_url?: string;
  api_url?: string;
  state?: PostgresState | string;
  role?: MemberRole;
  version?: string;
  proxy_url?: string;
  checkpoint_after_promote?: boolean;
  tags?: JsonObject;
  pending_restart?: boolean;
  pending_restart_reason?: Record<string, RestartReason>;
  xlog_location?: number;
  replay_lsn?: number;
  receive_lsn?: number;
  replication_state?: ReplicationState | string;
  timeline?: number;
  scheduled_restart?: JsonObject;
  pause?: boolean;
}

export interface Member {
  name: string;
  /** Backend version of the key (etcd3: mod_revision) for compare-and-set. */
  version: string;
  /** Lease / session the key is bound to, when the backend has one. */
  session?: string;
  data: MemberData;
}

export interface Leader {
  name: string;
  version: string;
  session?: string;
  /** The leader's member record, when it has one. */
  member?: Member;
}

export interface Failover {
  version: string;
  leader?: string;
  candidate?: string;
  scheduledAt?: Date;
  /** `scheduled_at` text as stored: its UTC offset is shown back by /cluster and patronictl (Date loses it). */
  scheduledAtRaw?: string;
}

export interface ClusterConfig {
  version: string;
  /** 0 when the stored value was unusable: such a config is ignored (nodes keep the last good one). */
  modifyVersion: number;
  data: JsonObject;
}

export interface SyncState {
  version?: string;
  leader?: string;
  /** Sorted member names currently acknowledged as synchronous. */
  members: string[];
  quorum: number;
}

/** [timeline, switch_lsn, reason, timestamp?, new_leader?] */
export type HistoryLine = [number, number, string, string?, string?];

export interface TimelineHistory {
  version: string;
  lines: HistoryLine[];
}

export interface LeaderStatus {
  /** Leader's last published WAL position in bytes (0 when unknown). */
  optime: number;
  slots: Record<string, number>;
  retainSlots: string[];
}

export interface Cluster {
  /** `initialize` key: null when absent, '' while bootstrapping, else the system identifier. */
  initialize: string | null;
  config: ClusterConfig | null;
  leader: Leader | null;
  status: LeaderStatus;
  members: Member[];
  failover: Failover | null;
  sync: SyncState;
  history: TimelineHistory | null;
  failsafe: Record<string, string> | null;
}

export const EMPTY_CLUSTER: Cluster = {
  initialize: null,
  config: null,
  leader: null,
  status: { optime: 0, slots: {}, retainSlots: [] },
  members: [],
  failover: null,
  sync: { members: [], quorum: 0 },
  history: null,
  failsafe: null,
};

export function isValidSysid(v: string | null | undefined): v is string {
  return typeof v === 'string' && /^\d{10,}$/.test(v);
}

export function memberByName(cluster: Cluster, name: string): Member | undefined {
  return cluster.members.find((m) => m.name === name);
}

/** `Cluster.timeline` of Patroni: last history timeline + 1; [] -> 1; unknown -> 0. */
export function clusterTimeline(cluster: Cluster): number {
  if (!cluster.history) return 0;
  const last = cluster.history.lines.at(-1);
  return last ? last[0] + 1 : 1;
}

/** A member's WAL position as Patroni compares them: max(receive, replay), else xlog_location. */
export function memberLsn(m: MemberData): number {
  const best = Math.max(m.receive_lsn ?? 0, m.replay_lsn ?? 0);
  return best > 0 ? best : (m.xlog_location ?? 0);
}
