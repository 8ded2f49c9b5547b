// Recording fakes of the DCS and the PostgreSQL controller for unit tests of the HA shell (executor,
// cycle runner). Each call is recorded as `method arg...`; answers come from `answers`.
import type { Cluster, Leader, MemberData, PostgresState } from '../../../src/dcs/cluster.js';
import type { Dcs, LeaderStatusUpdate } from '../../../src/dcs/dcs.js';
import type { PostgresController, ServerRole, StopMode, Upstream } from '../../../src/postgresql/controller.js';
import type { PostgresSnapshot } from '../../../src/postgresql/snapshot.js';

export interface DcsAnswers {
  getCluster?: () => Promise<Cluster>;
  attemptToAcquireLeader?: () => Promise<boolean>;
  updateLeader?: () => Promise<boolean>;
}

export function fakeDcs(calls: string[], answers: DcsAnswers = {}): Dcs {
  const rec = (line: string, ok = true) => {
    calls.push(line);
    return Promise.resolve(ok);
  };
  return {
    backend: 'fake',
    clusterPath: '/service/test',
    getCluster: () => {
      calls.push('getCluster');
      return answers.getCluster ? answers.getCluster() : Promise.reject(new Error('no cluster'));
    },
    touchMember: (_d: MemberData) => rec('touchMember'),
    attemptToAcquireLeader: () => {
      calls.push('attemptToAcquireLeader');
      return answers.attemptToAcquireLeader?.() ?? Promise.resolve(true);
    },
    updateLeader: (_c: Cluster, s?: LeaderStatusUpdate) => {
      calls.push(`updateLeader ${s?.optime ?? '-'}`);
      return answers.updateLeader?.() ?? Promise.resolve(true);
    },
    takeLeader: () => rec('takeLeader'),
    deleteLeader: (l: Leader | null) => rec(`deleteLeader ${l?.name ?? '-'}`),
    initialize: (createNew: boolean, sysid: string) => rec(`initialize ${createNew} ${sysid}`),
    cancelInitialization: () => rec('cancelInitialization'),
    setConfigValue: (v: string) => rec(`setConfigValue ${v}`),
    setFailoverValue: (v: string, version?: string) => rec(`setFailoverValue ${v} ${version ?? '-'}`),
    setHistoryValue: (v: string) => rec(`setHistoryValue ${v}`),
    setSyncStateValue: (v: string) => {
      calls.push(`setSyncStateValue ${v}`);
      return Promise.resolve('2');
    },
    deleteSyncState: () => rec('deleteSyncState'),
    deleteCluster: () => rec('deleteCluster'),
    watch: () => Promise.resolve(false),
    wakeup: () => {
      calls.push('wakeup');
    },
    setTimeouts: () => undefined,
    close: () => Promise.resolve(),
  };
}

export function fakePg(calls: string[], snapshot: () => PostgresSnapshot, following: Upstream | null = null): PostgresController {
  const rec = <T>(line: string, v: T) => {
    calls.push(line);
    return Promise.resolve(v);
  };
  return {
    snapshot: () => Promise.resolve(snapshot()),
    bootstrap: () => rec('bootstrap', undefined),
    createReplica: (from: Upstream | null, methods: string[]) => rec(`createReplica ${from?.name ?? '-'} ${methods.join(',')}`, true),
    prePromote: () => rec('prePromote', true),
    restart: (role: ServerRole, upstream: Upstream | null) => rec(`restart ${role} ${upstream?.name ?? '-'}`, true),
    runCallback: (action: string, role: string) => {
      calls.push(`callback ${action} ${role}`);
    },
    announceRole: () => undefined,
    moveDataDirectory: () => rec('moveDataDirectory', undefined),
    postBootstrap: () => rec('postBootstrap', undefined),
    start: (role: ServerRole, upstream: Upstream | null) => rec(`start ${role} ${upstream?.name ?? '-'}`, true),
    stop: (mode: StopMode) => rec(`stop ${mode}`, true),
    promote: () => rec('promote', true),
    follow: (upstream: Upstream | null, role: ServerRole) => rec(`follow ${upstream?.name ?? '-'} ${role}`, true),
    checkpoint: () => rec('checkpoint', undefined),
    reload: () => rec('reload', undefined),
    isFollowing: async (u: Upstream | null) => u?.name === following?.name,
    setState: (s: PostgresState) => {
      calls.push(`setState ${s}`);
    },
    close: () => Promise.resolve(),
  };
}
