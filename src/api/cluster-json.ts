// Patroni's cluster_as_json (patroni/utils.py): the topology served by GET /cluster and printed by
// patronictl list/topology. Pure; key order is the wire order.
import type { Cluster, Member, RestartReason } from '../dcs/cluster.js';
import type { DynamicConfig } from '../config/types.js';
import type { JsonObject } from '../util/json.js';
import { connKwargs } from './conn-url.js';
import { pyIsoformat } from './iso.js';

/** The dynamic-config facts cluster_as_json reads (a DynamicConfig satisfies it). */
export type ClusterJsonConfig = Pick<DynamicConfig, 'pause' | 'synchronous_mode' | 'standby_cluster'>;

export type ClusterMemberRole = 'leader' | 'standby_leader' | 'sync_standby' | 'quorum_standby' | 'replica';

export interface ClusterMemberJson {
  name: string;
  role: ClusterMemberRole;
  state: string;
  api_url: string | null;
  host?: string;
  port?: number;
  timeline?: number;
  pending_restart?: boolean;
  pending_restart_reason?: Record<string, RestartReason>;
  scheduled_restart?: JsonObject;
  tags?: JsonObject;
  receive_lsn?: string;
  receive_lag?: number | 'unknown';
  replay_lsn?: string;
  replay_lag?: number | 'unknown';
  lsn?: string;
  lag?: number | 'unknown';
}

export interface ClusterJson {
  members: ClusterMemberJson[];
  pause?: true;
  scheduled_switchover?: { at: string; from?: string; to?: string };
  scope: string;
}

/** `%X/%X` as PostgreSQL prints an LSN. */
export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** Key order differs on purpose: Python assigns `lsn = lag = 'unknown'` but `lag` before `lsn` otherwise. */
function addPosition(out: ClusterMemberJson, kind: 'receive_' | 'replay_' | '', lsn: number | undefined, clusterLsn: number): void {
  if (!lsn) {
    out[`${kind}lsn`] = 'unknown';
    out[`${kind}lag`] = 'unknown';
  } else {
    out[`${kind}lag`] = Math.max(0, clusterLsn - lsn);
    out[`${kind}lsn`] = formatLsn(lsn);
  }
}

function memberRole(m: Member, cluster: Cluster, cfg: ClusterJsonConfig): ClusterMemberRole {
  if (m.name === cluster.leader?.name) return cfg.standby_cluster !== null ? 'standby_leader' : 'leader';
  // Synchronous mode is never in effect on a standby cluster.
  const syncOn = cfg.synchronous_mode !== 'off' && cfg.standby_cluster === null;
  const listed = cluster.sync.members.some((s) => s.toLowerCase() === m.name.toLowerCase());
  if (syncOn && listed) return cfg.synchronous_mode === 'quorum' ? 'quorum_standby' : 'sync_standby';
  return 'replica';
}

function memberJson(m: Member, cluster: Cluster, cfg: ClusterJsonConfig): ClusterMemberJson {
  const role = memberRole(m, cluster, cfg);
  const d = m.data;
  const state = (role !== 'leader' ? (d.replication_state ?? '') : '') || (d.state ?? '');
  const out: ClusterMemberJson = { name: m.name, role, state, api_url: d.api_url ?? null };
  const conn = connKwargs(d.conn_url);
  if (conn) {
    out.host = conn.host;
    out.port = conn.port;
  }
  if (d.timeline !== undefined) out.timeline = d.timeline;
  if (d.pending_restart !== undefined) out.pending_restart = d.pending_restart;
  if (d.pending_restart_reason !== undefined) out.pending_restart_reason = d.pending_restart_reason;
  if (d.scheduled_restart !== undefined) out.scheduled_restart = d.scheduled_restart;
  if (d.tags !== undefined) out.tags = d.tags;
  if (m.name !== cluster.leader?.name) {
    addPosition(out, 'receive_', d.receive_lsn, cluster.status.optime);
    addPosition(out, 'replay_', d.replay_lsn, cluster.status.optime);
    addPosition(out, '', d.xlog_location, cluster.status.optime);
  }
  return out;
}

export function clusterAsJson(cluster: Cluster, cfg: ClusterJsonConfig, scope: string): ClusterJson {
  const members = cluster.members.map((m) => memberJson(m, cluster, cfg));
  members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const f = cluster.failover;
  const switchover =
    f && (f.scheduledAt || f.scheduledAtRaw)
      ? {
          at: pyIsoformat(f.scheduledAtRaw, f.scheduledAt),
          ...(f.leader ? { from: f.leader } : {}),
          ...(f.candidate ? { to: f.candidate } : {}),
        }
      : null;
  return {
    members,
    ...(cfg.pause ? { pause: true as const } : {}),
    ...(switchover ? { scheduled_switchover: switchover } : {}),
    scope,
  };
}
