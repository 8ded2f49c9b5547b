// Builders for decide() inputs: a world described in a few words per test case.
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import { EMPTY_CLUSTER, type Cluster, type Member, type MemberData } from '../../../src/dcs/cluster.js';
import type { Action, AsyncTask, Decision } from '../../../src/ha/core/decision.js';
import { INITIAL_MEMORY, type AsyncOutcome, type AsyncState, type HaInput, type HaMemory, type PeerStatus } from '../../../src/ha/core/input.js';
import type { PostgresSnapshot, RunningServer } from '../../../src/postgresql/snapshot.js';
import type { JsonObject } from '../../../src/util/json.js';

export const SYSID = '7277694203142172922';

export function member(name: string, data: MemberData = {}): Member {
  return {
    name,
    version: '1',
    data: {
      conn_url: `postgres://127.0.0.1:${5431 + Number(name.slice(-1))}/postgres`,
      api_url: `http://127.0.0.1:${8007 + Number(name.slice(-1))}/patroni`,
      state: 'running',
      role: 'replica',
      ...data,
    },
  };
}

export function cluster(
  opts: { leader?: string; members?: Member[]; initialize?: string | null; optime?: number; failover?: boolean; leaderTimeline?: number } = {},
): Cluster {
  const members = opts.members ?? [member('node1'), member('node2'), member('node3')];
  const leaderMember = opts.leader ? members.find((m) => m.name === opts.leader) : undefined;
  if (leaderMember && opts.leaderTimeline) leaderMember.data.timeline = opts.leaderTimeline;
  return {
    ...EMPTY_CLUSTER,
    initialize: opts.initialize === undefined ? SYSID : opts.initialize,
    config: { version: '1', modifyVersion: 1, data: { ttl: 30 } },
    leader: opts.leader ? { name: opts.leader, version: '1', ...(leaderMember ? { member: leaderMember } : {}) } : null,
    members,
    status: { optime: opts.optime ?? 0, slots: {}, retainSlots: [] },
    failover: opts.failover ? { version: '3', candidate: 'node2' } : null,
  };
}

export function server(s: Partial<RunningServer> = {}): RunningServer {
  return {
    inRecovery: true,
    timeline: 1,
    walLsn: 100,
    receiveLsn: 100,
    replayLsn: 100,
    replayedTimestamp: null,
    replayPaused: false,
    latestEndLsn: 100,
    replicationState: 'streaming',
    serverVersion: 150004,
    postmasterStartTime: '2026-11-26 00:00:00.000000+00:00',
    followingHost: null,
    replication: [],
    pendingRestart: {},
    ...s,
  };
}

export const primary = (s: Partial<RunningServer> = {}) => server({ inRecovery: false, replicationState: null, receiveLsn: null, replayLsn: null, ...s });

export function pgRunning(srv: RunningServer): PostgresSnapshot {
  return {
    dataDir: { kind: 'present', sysid: SYSID, controlData: controlData(srv.inRecovery ? 'in archive recovery' : 'in production', srv.timeline) },
    postmasterRunning: true,
    state: 'running',
    server: srv,
  };
}

export function pgStopped(clusterState = 'shut down in recovery', timeline = 1): PostgresSnapshot {
  return {
    dataDir: { kind: 'present', sysid: SYSID, controlData: controlData(clusterState, timeline) },
    postmasterRunning: false,
    state: 'stopped',
    server: null,
  };
}

export const pgEmpty: PostgresSnapshot = { dataDir: { kind: 'empty' }, postmasterRunning: false, state: 'stopped', server: null };

function controlData(clusterState: string, timeline: number) {
  return { clusterState, systemIdentifier: SYSID, timeline, checkpointLsn: 90, minRecoveryLsn: 0, walLogHints: true, dataChecksums: false, raw: {} };
}

export function peer(name: string, walLsn: number, extra: Partial<Extract<PeerStatus, { reachable: true }>> = {}): PeerStatus {
  return {
    name,
    reachable: true,
    role: 'replica',
    walLsn,
    isPrimary: false,
    nofailover: false,
    failoverPriority: 1,
    watchdogFailed: false,
    timeline: 1,
    ...extra,
  };
}

/** Tasks as the core starts them, for `running`/`finished`. */
export const TASKS = {
  bootstrap: { kind: 'bootstrap', name: 'bootstrap' },
  postBootstrap: { kind: 'post_bootstrap', name: 'post_bootstrap' },
  promote: { kind: 'promote', name: 'promote' },
  restart: { kind: 'restart', name: 'restart', role: 'replica', upstream: null },
  crashRecovery: { kind: 'start', name: 'starting primary after failure', role: 'primary', upstream: null },
} as const satisfies Record<string, AsyncTask>;

/** The async executor runs `task`, started at `startedAt`. */
export const running = (task: AsyncTask, startedAt = 0): AsyncState => ({ task, startedAt });
/** `task` finished with `ok`; the runner holds the outcome until a decision forgets it. */
export const finished = (task: AsyncTask, ok: boolean): AsyncOutcome => ({ task, ok });

export function input(
  opts: {
    me?: string;
    tags?: JsonObject;
    cluster?: Cluster;
    pg?: PostgresSnapshot;
    memory?: Partial<HaMemory>;
    peers?: PeerStatus[];
    dcs?: JsonObject;
    async?: AsyncState;
    lastAsync?: AsyncOutcome;
  } = {},
): HaInput {
  const me = opts.me ?? 'node2';
  return {
    now: 1_800_000_000_000,
    me: {
      name: me,
      tags: opts.tags ?? {},
      apiUrl: 'http://x/patroni',
      connUrl: 'postgres://x/postgres',
      canBootstrap: true,
      usePgRewind: true,
      removeDataDirOnDivergedTimelines: false,
      removeDataDirOnRewindFailure: false,
      replicaMethods: ['basebackup'],
      noLeaderMethods: [],
    },
    config: buildDynamicConfig(opts.dcs ?? {}),
    cluster: opts.cluster ?? cluster({ leader: 'node1' }),
    pg: opts.pg ?? pgRunning(server()),
    memory: { ...INITIAL_MEMORY, role: 'replica', ...opts.memory },
    async: opts.async ?? null,
    lastAsync: opts.lastAsync ?? null,
    peers: opts.peers ?? [],
  };
}

/** Follow a decision down the given branch outcomes (default: success), collecting actions. */
export function walk(d: Decision, outcomes: boolean[] = []): { message: string; actions: Action[] } {
  const actions = [...d.actions];
  let cur = d;
  let i = 0;
  while (cur.branch) {
    cur = (outcomes[i++] ?? true) ? cur.branch.onSuccess : cur.branch.onFailure;
    actions.push(...cur.actions);
  }
  return { message: cur.message, actions };
}
