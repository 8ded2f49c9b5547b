// Hand-made cluster / config / snapshot values for API and patronictl unit tests.
import type { DynamicConfig } from '../../../src/config/types.js';
import { EMPTY_CLUSTER, type Cluster, type Member, type MemberData } from '../../../src/dcs/cluster.js';
import type { PostgresSnapshot, RunningServer } from '../../../src/postgresql/snapshot.js';

export function dynamicConfig(over: Partial<DynamicConfig> = {}): DynamicConfig {
  return {
    ttl: 30, loop_wait: 10, retry_timeout: 10, maximum_lag_on_failover: 1048576, maximum_lag_on_syncnode: -1,
    max_timelines_history: 0, primary_start_timeout: 300, primary_stop_timeout: 0, primary_race_backoff: 0,
    check_timeline: false, pause: false, synchronous_mode: 'off', synchronous_mode_strict: false,
    synchronous_node_count: 1, failsafe_mode: false, member_slots_ttl: 1800, standby_cluster: null, use_slots: true,
    use_pg_rewind: false, parameters: {}, raw: {}, ...over,
  };
}

export function member(name: string, data: MemberData): Member {
  return { name, version: '1', data };
}

const MB = 1048576;

/** The 3-member cluster of the spec samples: leader optime 3 MiB ahead of postgresql1. */
export function batman(over: Partial<Cluster> = {}): Cluster {
  const lsn = 0x40000e8;
  return {
    ...EMPTY_CLUSTER,
    initialize: '7277694203142172922',
    leader: { name: 'postgresql0', version: '1' },
    status: { optime: lsn + 3 * MB, slots: {}, retainSlots: [] },
    members: [
      member('postgresql0', { conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', state: 'running', role: 'primary', timeline: 5 }),
      member('postgresql1', { conn_url: 'postgres://127.0.0.1:5433/postgres', api_url: 'http://127.0.0.1:8009/patroni', state: 'running', role: 'replica', timeline: 5, replication_state: 'streaming', receive_lsn: lsn, replay_lsn: lsn, xlog_location: lsn }),
      member('postgresql2', { conn_url: 'postgres://127.0.0.1:5434/postgres', api_url: 'http://127.0.0.1:8010/patroni', state: 'stopped', role: 'replica' }),
    ],
    ...over,
  };
}

export function runningServer(over: Partial<RunningServer> = {}): RunningServer {
  return {
    inRecovery: false, timeline: 5, walLsn: 67109096, receiveLsn: null, replayLsn: null, replayedTimestamp: null,
    replayPaused: false, latestEndLsn: null, replicationState: null, serverVersion: 160004,
    postmasterStartTime: '2024-08-28 19:39:26.352526+00:00', followingHost: null, replication: [], pendingRestart: {}, ...over,
  };
}

export function snapshot(server: RunningServer | null, over: Partial<PostgresSnapshot> = {}): PostgresSnapshot {
  return {
    dataDir: { kind: 'present', sysid: '7277694203142172922', controlData: null },
    postmasterRunning: server !== null, state: server ? 'running' : 'stopped', server, ...over,
  };
}
