// What the benchmark measures: one row of the report per metric, per profile (pure data).
export type Impl = 'ts' | 'debian';
export const IMPLS: readonly Impl[] = ['ts', 'debian'];
export const IMPL_LABEL: Record<Impl, string> = { ts: 'patroni-ts', debian: 'Patroni 3.0.2' };

export type Unit = 's' | 'ms' | 'req/s' | 'MiB' | '% CPU' | 'req/member/min' | 'watches';

/** A target from the issues, checked against the ours/theirs ratio of medians or our own median. */
export type Goal =
  | { kind: 'ratio-at-most'; value: number; text: string }
  | { kind: 'ratio-at-least'; value: number; text: string }
  | { kind: 'ours-below'; value: number; text: string };

export interface MetricDef {
  id: string;
  label: string;
  unit: Unit;
  goal?: Goal;
  /** Measured on this DCS backend (fast profile only); rows without samples are left out of the report. */
  backend?: 'etcd2' | 'zookeeper' | 'exhibitor';
}

export const METRICS = [
  {
    id: 'bootstrap',
    label: 'bootstrap of 3 nodes from empty (start -> leader + 2 streaming)',
    unit: 's',
    goal: { kind: 'ours-below', value: 4, text: '<= 4 s' },
  },
  {
    id: 'switchover_writable',
    label: 'switchover: `patronictl switchover --force` started -> new primary accepts a write',
    unit: 's',
    goal: { kind: 'ours-below', value: 0.9, text: '<= 0.9 s' },
  },
  {
    id: 'switchover_streaming',
    label: 'switchover: `patronictl switchover --force` started -> old primary streaming again',
    unit: 's',
    goal: { kind: 'ours-below', value: 2, text: '<= 2 s' },
  },
  {
    id: 'switchover_request',
    label: 'switchover: `patronictl switchover --force` started -> its POST reaches the leader (the leader\'s "received switchover request" log line)',
    unit: 's',
    goal: { kind: 'ours-below', value: 0.15, text: '<= 0.15 s' },
  },
  { id: 'failover_crash', label: 'failover after host crash (kill -9 daemon + postgres) -> replica accepts writes', unit: 's' },
  { id: 'failover_pg_only', label: 'PostgreSQL-only crash (kill -9 postgres) -> a primary accepts writes', unit: 's' },
  {
    id: 'write_gap_direct_switchover',
    label: 'write gap seen by a client that knows every node (libpq target_session_attrs=read-write style), switchover',
    unit: 's',
    goal: { kind: 'ours-below', value: 0.5, text: '<= 0.5 s' },
  },
  {
    id: 'write_gap_direct_crash',
    label: 'write gap seen by a client that knows every node (libpq target_session_attrs=read-write style), host crash',
    unit: 's',
  },
  {
    id: 'write_gap_switchover',
    label: "write gap through HAProxy /primary, switchover (bounded below by HAProxy's fall x inter = 2 x 500 ms)",
    unit: 's',
  },
  { id: 'write_gap_crash', label: "write gap through HAProxy /primary, host crash (bounded below by HAProxy's fall x inter)", unit: 's' },
  { id: 'rps_primary', label: 'REST GET /primary requests/s (wrk)', unit: 'req/s', goal: { kind: 'ratio-at-least', value: 10, text: '>= 10x Patroni' } },
  { id: 'p99_primary', label: 'REST GET /primary p99 (wrk)', unit: 'ms', goal: { kind: 'ours-below', value: 2, text: '<= 2 ms' } },
  { id: 'rps_patroni', label: 'REST GET /patroni requests/s (wrk)', unit: 'req/s', goal: { kind: 'ratio-at-least', value: 10, text: '>= 10x Patroni' } },
  { id: 'p99_patroni', label: 'REST GET /patroni p99 (wrk)', unit: 'ms', goal: { kind: 'ours-below', value: 5, text: '< 5 ms' } },
  { id: 'rps_cluster', label: 'REST GET /cluster requests/s (wrk)', unit: 'req/s', goal: { kind: 'ratio-at-least', value: 10, text: '>= 10x Patroni' } },
  { id: 'p99_cluster', label: 'REST GET /cluster p99 (wrk)', unit: 'ms', goal: { kind: 'ours-below', value: 5, text: '< 5 ms' } },
  { id: 'p50_primary_busy', label: 'REST GET /primary p50 on the leader, writer + replication + HA cycle running (wrk)', unit: 'ms' },
  {
    id: 'p99_primary_busy',
    label: 'REST GET /primary p99 on the leader, writer + replication + HA cycle running (wrk)',
    unit: 'ms',
    goal: { kind: 'ours-below', value: 2, text: '<= 2 ms' },
  },
  { id: 'p50_replica_busy', label: 'REST GET /replica p50 on a replica, writer + replication + HA cycle running (wrk)', unit: 'ms' },
  {
    id: 'p99_replica_busy',
    label: 'REST GET /replica p99 on a replica, writer + replication + HA cycle running (wrk)',
    unit: 'ms',
    goal: { kind: 'ours-below', value: 2, text: '<= 2 ms' },
  },
  {
    id: 'ctl_list',
    label: '`patronictl list` wall time (hyperfine)',
    unit: 'ms',
    goal: { kind: 'ratio-at-most', value: 1 / 3, text: 'ours <= 1/3 of Patroni' },
  },
  { id: 'idle_rss', label: 'idle RSS per daemon (one sample per node)', unit: 'MiB' },
  { id: 'idle_cpu', label: 'idle CPU per daemon (one sample per node)', unit: '% CPU' },
  { id: 'dcs_requests', label: 'idle DCS requests per member per minute (etcd gRPC metrics)', unit: 'req/member/min' },
  { id: 'scale_bootstrap', label: '--scale: bootstrap of the large cluster from empty (start -> leader + all others streaming)', unit: 's' },
  { id: 'scale_switchover', label: '--scale: large cluster, `patronictl switchover --force` started -> new primary accepts a write', unit: 's' },
  { id: 'scale_failover_crash', label: '--scale: large cluster, host crash of the primary -> a replica accepts writes', unit: 's' },
  { id: 'scale_get_cluster', label: '--scale: large cluster, GET /cluster on the leader (one request at a time)', unit: 'ms' },
  { id: 'scale_ctl_list', label: '--scale: large cluster, `patronictl list` wall time', unit: 'ms' },
  {
    id: 'dcs_replay_rps',
    label: '--scale: simulated clusters on one etcd, requests/s (one recorded 3-member cluster replayed per simulated cluster)',
    unit: 'req/s',
  },
  { id: 'dcs_replay_etcd_cpu', label: '--scale: simulated clusters on one etcd, etcd CPU', unit: '% CPU' },
  { id: 'dcs_replay_etcd_rss', label: '--scale: simulated clusters on one etcd, etcd RSS (peak)', unit: 'MiB' },
  { id: 'dcs_replay_watches', label: '--scale: simulated clusters on one etcd, watch streams held', unit: 'watches' },
  { id: 'dcs_replay_scheduled_rps', label: '--scale: load generator, requests/s its schedule asked for', unit: 'req/s' },
  { id: 'dcs_replay_answered_rps', label: '--scale: load generator, requests/s answered (kept up: close to the scheduled rate)', unit: 'req/s' },
  { id: 'dcs_replay_lag_p99', label: '--scale: load generator, p99 lag of a request behind its schedule (kept up: <= 100 ms)', unit: 'ms' },
  { id: 'dcs_replay_latency_p99', label: "--scale: load generator, p99 of etcd's answer time", unit: 'ms' },
  { id: 'dcs_replay_generator_cpu', label: '--scale: load generator CPU (one Node.js thread; kept up: <= 90 %)', unit: '% CPU' },
  { id: 'failover_crash_etcd2', label: 'etcd v2: failover after host crash -> replica accepts writes', unit: 's', backend: 'etcd2' },
  {
    id: 'dcs_requests_etcd2',
    label: 'etcd v2: idle DCS requests per member per minute (v2 store reads + writes + watches)',
    unit: 'req/member/min',
    backend: 'etcd2',
  },
  { id: 'failover_crash_zookeeper', label: 'ZooKeeper: failover after host crash -> replica accepts writes', unit: 's', backend: 'zookeeper' },
  {
    id: 'dcs_requests_zookeeper',
    label: 'ZooKeeper: idle requests per member per minute (packets received, pings included)',
    unit: 'req/member/min',
    backend: 'zookeeper',
  },
  { id: 'failover_crash_exhibitor', label: 'Exhibitor: failover after host crash -> replica accepts writes', unit: 's', backend: 'exhibitor' },
  {
    id: 'dcs_requests_exhibitor',
    label: 'Exhibitor: idle requests per member per minute (ZooKeeper packets received + cluster-list polls)',
    unit: 'req/member/min',
    backend: 'exhibitor',
  },
] as const satisfies readonly MetricDef[];

export type MetricId = (typeof METRICS)[number]['id'];

export function metricDef(id: MetricId): MetricDef {
  const def: MetricDef | undefined = METRICS.find((m) => m.id === id);
  if (!def) throw new Error(`unknown metric ${id}`);
  return def;
}
