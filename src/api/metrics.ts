// GET /metrics (RestApiHandler.do_GET_metrics): Patroni's Prometheus exposition, rendered by hand.
// prom-client cannot produce it: the version sample keeps its leading zero (`040104`, not a number
// prom-client would print), patroni_postgres_state carries an extra `# Values:` comment between HELP and
// TYPE, and dashboards match the exact text. Pure.
import { failoverPriority, nofailover } from '../config/tags.js';
import { POSTGRES_STATES } from '../dcs/cluster.js';
import type { JsonObject } from '../util/json.js';
import type { NodeStatus } from './node-status.js';

export interface MetricsInput {
  status: NodeStatus;
  scope: string;
  name: string;
  version: string;
  failsafeModeEnabled: boolean;
  /** This member's name is a key of the DCS /failsafe map. */
  failsafeMember: boolean;
  /** Configured tags (failover priority). */
  tags: JsonObject;
}

/** Frozen numbering of Patroni's PostgresqlState enum. */
export const POSTGRES_STATE_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(POSTGRES_STATES.map((s, i) => [s, i]));

const STATE_VALUES =
  '# Values: 0=initdb, 1=initdb_failed, 2=custom_bootstrap, 3=custom_bootstrap_failed, 4=creating_replica, ' +
  '5=running, 6=starting, 7=bootstrap_starting, 8=start_failed, 9=restarting, 10=restart_failed, 11=stopping, ' +
  '12=stopped, 13=stop_failed, 14=crashed';

/** `4.1.4` -> `040104`. */
export function paddedSemver(version: string): string {
  return version
    .split('.')
    .map((p) => p.padStart(2, '0'))
    .join('');
}

/**
 * Epoch seconds of a Postgres timestamp text (`2024-08-28 19:39:26.352526+00:00`) printed like Python's
 * float str(); 0 when absent or unparsable. Integer and fraction are kept apart: a double cannot hold
 * microseconds of a current epoch exactly.
 */
export function epochSeconds(ts: string | null | undefined): string {
  if (!ts) return '0';
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(ts.trim());
  if (!m) return '0';
  const [, date, time, frac = '', tz = 'Z'] = m;
  const zone = tz === 'Z' ? 'Z' : tz.length === 3 ? `${tz}:00` : tz.includes(':') ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
  const ms = Date.parse(`${date}T${time}${zone}`);
  if (Number.isNaN(ms)) return '0';
  const micro = frac.padEnd(6, '0').slice(0, 6).replace(/0+$/, '');
  return `${Math.floor(ms / 1000)}.${micro || '0'}`;
}

interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: string | number | boolean;
  comment?: string;
}

export function renderMetrics(inp: MetricsInput): string {
  const s = inp.status;
  const location = s.xlog && 'location' in s.xlog ? s.xlog.location : 0;
  const replica = s.xlog && 'replayed_location' in s.xlog ? s.xlog : null;
  const version = s.server_version ?? 0;
  const metrics: Metric[] = [
    { name: 'patroni_version', help: 'Patroni semver without periods.', type: 'gauge', value: paddedSemver(inp.version) },
    { name: 'patroni_postgres_running', help: 'Value is 1 if Postgres is running, 0 otherwise.', type: 'gauge', value: s.state === 'running' },
    { name: 'patroni_postmaster_start_time', help: 'Epoch seconds since Postgres started.', type: 'gauge', value: epochSeconds(s.postmaster_start_time) },
    { name: 'patroni_primary', help: 'Value is 1 if this node is the leader, 0 otherwise.', type: 'gauge', value: s.role === 'primary' },
    {
      name: 'patroni_xlog_location',
      help: 'Current location of the Postgres transaction log, 0 if this node is not the leader.',
      type: 'counter',
      value: location,
    },
    { name: 'patroni_standby_leader', help: 'Value is 1 if this node is the standby_leader, 0 otherwise.', type: 'gauge', value: s.role === 'standby_leader' },
    { name: 'patroni_replica', help: 'Value is 1 if this node is a replica, 0 otherwise.', type: 'gauge', value: s.role === 'replica' },
    { name: 'patroni_sync_standby', help: 'Value is 1 if this node is a sync standby, 0 otherwise.', type: 'gauge', value: s.sync_standby === true },
    { name: 'patroni_quorum_standby', help: 'Value is 1 if this node is a quorum standby, 0 otherwise.', type: 'gauge', value: s.quorum_standby === true },
    {
      name: 'patroni_xlog_received_location',
      help: 'Current location of the received Postgres transaction log, 0 if this node is not a replica.',
      type: 'counter',
      value: replica?.received_location ?? 0,
    },
    {
      name: 'patroni_xlog_replayed_location',
      help: 'Current location of the replayed Postgres transaction log, 0 if this node is not a replica.',
      type: 'counter',
      value: replica?.replayed_location ?? 0,
    },
    {
      name: 'patroni_xlog_replayed_timestamp',
      help: 'Current timestamp of the replayed Postgres transaction log, 0 if null.',
      type: 'gauge',
      value: epochSeconds(replica?.replayed_timestamp),
    },
    { name: 'patroni_xlog_paused', help: 'Value is 1 if the Postgres xlog is paused, 0 otherwise.', type: 'gauge', value: replica?.paused === true },
  ];
  if (version >= 90600) {
    metrics.push(
      {
        name: 'patroni_postgres_streaming',
        help: 'Value is 1 if Postgres is streaming, 0 otherwise.',
        type: 'gauge',
        value: s.replication_state === 'streaming',
      },
      {
        name: 'patroni_postgres_in_archive_recovery',
        help: 'Value is 1 if Postgres is replicating from archive, 0 otherwise.',
        type: 'gauge',
        value: s.replication_state === 'in archive recovery',
      },
    );
  }
  metrics.push(
    { name: 'patroni_postgres_server_version', help: 'Version of Postgres (if running), 0 otherwise.', type: 'gauge', value: version },
    { name: 'patroni_cluster_unlocked', help: 'Value is 1 if the cluster is unlocked, 0 if locked.', type: 'gauge', value: s.cluster_unlocked === true },
    {
      name: 'patroni_failsafe_mode_is_active',
      help: 'Value is 1 if failsafe mode is active, 0 if inactive.',
      type: 'gauge',
      value: s.failsafe_mode_is_active === true,
    },
    { name: 'patroni_failsafe_mode_enabled', help: 'Value is 1 if failsafe_mode is enabled, 0 otherwise.', type: 'gauge', value: inp.failsafeModeEnabled },
    { name: 'patroni_failsafe_member', help: 'Value is 1 if this node is a member of failsafe, 0 otherwise.', type: 'gauge', value: inp.failsafeMember },
    { name: 'patroni_postgres_timeline', help: 'Postgres timeline of this node (if running), 0 otherwise.', type: 'gauge', value: s.timeline ?? 0 },
    { name: 'patroni_dcs_last_seen', help: 'Epoch timestamp when DCS was last contacted successfully by Patroni.', type: 'gauge', value: s.dcs_last_seen },
    { name: 'patroni_pending_restart', help: 'Value is 1 if the node needs a restart, 0 otherwise.', type: 'gauge', value: s.pending_restart === true },
    { name: 'patroni_is_paused', help: 'Value is 1 if auto failover is disabled, 0 otherwise.', type: 'gauge', value: s.pause === true },
    {
      name: 'patroni_postgres_state',
      help: 'Numeric representation of Postgres state.',
      type: 'gauge',
      value: POSTGRES_STATE_NUMBERS[s.state] ?? -1,
      comment: STATE_VALUES,
    },
    { name: 'patroni_failover_priority', help: 'Failover priority of this node.', type: 'gauge', value: nofailover(inp.tags) ? 0 : failoverPriority(inp.tags) },
  );
  const labels = `{scope="${inp.scope}",name="${inp.name}"}`;
  const lines: string[] = [];
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${m.help}`);
    if (m.comment) lines.push(m.comment);
    lines.push(`# TYPE ${m.name} ${m.type}`, `${m.name}${labels} ${typeof m.value === 'boolean' ? Number(m.value) : m.value}`);
  }
  return lines.join('\n') + '\n';
}
