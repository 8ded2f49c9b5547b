// A fake ApiContext over an in-memory cluster: DCS writes (config, failover key) change the cluster
// that the next freshCluster() returns, and every action call is recorded. For API unit tests.
import type { ApiActions, ApiContext, FailsafeOutcome, ReinitializeOutcome, RestartOutcome, DecisionExplanation } from '../../../src/api/context.js';
import { buildNodeStatus, type NodeStatusInput } from '../../../src/api/node-status.js';
import type { RestartSchedule } from '../../../src/api/restart-request.js';
import type { DynamicConfig } from '../../../src/config/types.js';
import type { Cluster } from '../../../src/dcs/cluster.js';
import type { Dcs } from '../../../src/dcs/dcs.js';
import { isObject, parseJson, type JsonObject } from '../../../src/util/json.js';
import { batman, dynamicConfig, runningServer, snapshot } from './fixtures.js';

export interface FakeState {
  lastDecision?: DecisionExplanation | null;
  cluster: Cluster;
  dynamic: DynamicConfig;
  isLeader: boolean;
  tags: JsonObject;
  status: Partial<NodeStatusInput>;
  /** Refuse DCS writes (CAS failure / write error). */
  refuseWrites: boolean;
  restartOutcome: RestartOutcome;
  reinitOutcome: ReinitializeOutcome;
  failsafeOutcome: FailsafeOutcome;
  scheduled: RestartSchedule | null;
  calls: string[];
  writes: { key: string; value: string; version?: string }[];
  wakeups: number;
  /** Plays the HA loop: runs on every wakeup() (e.g. moves the leader key after a switchover). */
  onWakeup?: () => void;
}

function fakeDcs(state: FakeState): Dcs {
  let rev = 100;
  const refuse = (what: string) => () => Promise.reject(new Error(`fake DCS: ${what} not supported`));
  return {
    backend: 'fake',
    clusterPath: '/service/batman',
    getCluster: async () => state.cluster,
    async setConfigValue(value, version) {
      state.writes.push({ key: 'config', value, ...(version !== undefined ? { version } : {}) });
      if (state.refuseWrites || (version !== undefined && version !== state.cluster.config?.version)) return false;
      const data = parseJson(value);
      rev++;
      state.cluster = { ...state.cluster, config: { version: String(rev), modifyVersion: rev, data: isObject(data) ? data : {} } };
      return true;
    },
    async setFailoverValue(value, version) {
      state.writes.push({ key: 'failover', value, ...(version !== undefined ? { version } : {}) });
      if (state.refuseWrites || (version !== undefined && version !== state.cluster.failover?.version)) return false;
      const d = parseJson(value);
      rev++;
      const f = isObject(d) ? d : {};
      const failover =
        typeof f.leader === 'string' || typeof f.member === 'string'
          ? {
              version: String(rev),
              ...(typeof f.leader === 'string' ? { leader: f.leader } : {}),
              ...(typeof f.member === 'string' ? { candidate: f.member } : {}),
              ...(typeof f.scheduled_at === 'string' ? { scheduledAt: new Date(f.scheduled_at), scheduledAtRaw: f.scheduled_at } : {}),
            }
          : null;
      state.cluster = { ...state.cluster, failover };
      return true;
    },
    touchMember: refuse('touchMember'),
    attemptToAcquireLeader: refuse('attemptToAcquireLeader'),
    updateLeader: refuse('updateLeader'),
    takeLeader: refuse('takeLeader'),
    deleteLeader: refuse('deleteLeader'),
    initialize: refuse('initialize'),
    cancelInitialization: refuse('cancelInitialization'),
    setHistoryValue: refuse('setHistoryValue'),
    setSyncStateValue: refuse('setSyncStateValue'),
    deleteSyncState: refuse('deleteSyncState'),
    deleteCluster: refuse('deleteCluster'),
    watch: async () => false,
    wakeup: () => undefined,
    setTimeouts: () => undefined,
    close: async () => undefined,
  };
}

function fakeActions(state: FakeState): ApiActions {
  return {
    async restart(opts) {
      state.calls.push(`restart ${JSON.stringify(opts)}`);
      return state.restartOutcome;
    },
    scheduleRestart(r) {
      state.calls.push('scheduleRestart');
      if (state.scheduled) return false;
      state.scheduled = r;
      return true;
    },
    deleteScheduledRestart() {
      state.calls.push('deleteScheduledRestart');
      const had = state.scheduled !== null;
      state.scheduled = null;
      return had;
    },
    reload() {
      state.calls.push('reload');
    },
    async reinitialize(opts) {
      state.calls.push(`reinitialize ${JSON.stringify(opts)}`);
      return state.reinitOutcome;
    },
    failsafeHeartbeat(leader) {
      state.calls.push(`failsafe ${leader.name}`);
      return state.failsafeOutcome;
    },
  };
}

export function fakeState(over: Partial<FakeState> = {}): FakeState {
  return {
    cluster: batman({ config: { version: '3', modifyVersion: 3, data: { ttl: 30, loop_wait: 10 } } }),
    dynamic: dynamicConfig(),
    isLeader: true,
    tags: {},
    status: {},
    refuseWrites: false,
    restartOutcome: { kind: 'restarted' },
    reinitOutcome: { kind: 'started' },
    failsafeOutcome: { kind: 'accepted', lsn: 1234 },
    scheduled: null,
    calls: [],
    writes: [],
    wakeups: 0,
    ...over,
  };
}

export function fakeContext(state: FakeState): ApiContext {
  const dcs = fakeDcs(state);
  const nodeStatus = async () =>
    buildNodeStatus({
      snapshot: snapshot(runningServer()),
      internalRole: 'primary',
      cluster: state.cluster,
      dynamic: state.dynamic,
      replicaTimeline: null,
      failsafeActive: false,
      dcsLastSeen: 1,
      tags: state.tags,
      identity: { version: '4.1.4', scope: 'batman', name: 'postgresql0' },
      ...state.status,
    });
  return {
    scope: 'batman',
    name: 'postgresql0',
    version: '4.1.4',
    nodeStatus,
    healthStatus: nodeStatus,
    cachedCluster: () => state.cluster,
    freshCluster: async () => state.cluster,
    dynamic: () => state.dynamic,
    isLeader: () => state.isLeader,
    tags: () => state.tags,
    nextHeartbeatDue: () => Date.now(),
    postgresState: () => 'running',
    isRunningPrimary: () => true,
    failsafeActive: () => false,
    dcs: () => dcs,
    wakeup: () => {
      state.wakeups++;
      state.onWakeup?.();
    },
    actions: fakeActions(state),
    lastDecision: () => state.lastDecision ?? null,
  };
}
