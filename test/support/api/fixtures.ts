// Hand-made cluster / config / snapshot values for API and patronictl unit tests.
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import type { DynamicConfig, RestApiConfig } from '../../../src/config/types.js';
import { EMPTY_CLUSTER, type Cluster, type Member, type MemberData } from '../../../src/dcs/cluster.js';
import type { PostgresSnapshot, RunningServer } from '../../../src/postgresql/snapshot.js';

/** The defaults Patroni applies to an empty dynamic config (buildDynamicConfig owns them), then `over`. */
export function dynamicConfig(over: Partial<DynamicConfig> = {}): DynamicConfig {
  return { ...buildDynamicConfig({}), ...over };
}

/** A plain-HTTP REST API on an ephemeral loopback port, no auth or allowlist, then `over`. */
export function restApiConfig(over: Partial<RestApiConfig> = {}): RestApiConfig {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    connect_address: '127.0.0.1:0',
    verify_client: 'none',
    allowlist: [],
    allowlist_include_members: false,
    http_extra_headers: {},
    https_extra_headers: {},
    server_tokens: 'original',
    ...over,
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
      member('postgresql0', {
        conn_url: 'postgres://127.0.0.1:5432/postgres',
        api_url: 'http://127.0.0.1:8008/patroni',
        state: 'running',
        role: 'primary',
        timeline: 5,
      }),
      member('postgresql1', {
        conn_url: 'postgres://127.0.0.1:5433/postgres',
        api_url: 'http://127.0.0.1:8009/patroni',
        state: 'running',
        role: 'replica',
        timeline: 5,
        replication_state: 'streaming',
        receive_lsn: lsn,
        replay_lsn: lsn,
        xlog_location: lsn,
      }),
      member('postgresql2', { conn_url: 'postgres://127.0.0.1:5434/postgres', api_url: 'http://127.0.0.1:8010/patroni', state: 'stopped', role: 'replica' }),
    ],
    ...over,
  };
}

export function runningServer(over: Partial<RunningServer> = {}): RunningServer {
  return {
    inRecovery: false,
    timeline: 5,
    walLsn: 67109096,
    receiveLsn: null,
    replayLsn: null,
    replayedTimestamp: null,
    replayPaused: false,
    latestEndLsn: null,
    replicationState: null,
    serverVersion: 160004,
    postmasterStartTime: '2024-08-28 19:39:26.352526+00:00',
    followingHost: null,
    replication: [],
    pendingRestart: {},
    ...over,
  };
}

export function snapshot(server: RunningServer | null, over: Partial<PostgresSnapshot> = {}): PostgresSnapshot {
  return {
    dataDir: { kind: 'present', sysid: '7277694203142172922', controlData: null },
    postmasterRunning: server !== null,
    state: server ? 'running' : 'stopped',
    server,
    ...over,
  };
}
