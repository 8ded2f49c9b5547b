// The REST API's view of this node: served from the HA loop's cached state, refreshing the
// PostgreSQL snapshot at most every FRESH_MS (concurrent requests share one refresh), so load on
// the API never reaches the HA cycle and peers racing for leadership still see current WAL positions.
import type { ApiContext } from '../api/context.js';
import { buildNodeStatus, type NodeStatusReport } from '../api/node-status.js';
import { scheduledRestartJson } from '../api/restart-request.js';
import { publishedTags } from '../config/tags.js';
import type { PatroniConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { PostgresController } from '../postgresql/controller.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';
import { PATRONI_VERSION } from '../version.js';
import { nodeActions } from './actions.js';
import type { HaNode } from './node.js';

const FRESH_MS = 250;

export function apiContext(node: HaNode, cfg: PatroniConfig, dcs: Dcs, pg: PostgresController): ApiContext {
  let refreshing: Promise<PostgresSnapshot> | null = null;
  let refreshedAt = 0;

  const snapshot = async (): Promise<PostgresSnapshot> => {
    if (node.snapshot && Date.now() - refreshedAt < FRESH_MS) return node.snapshot;
    refreshing ??= pg.snapshot().then((s) => {
      node.snapshot = s;
      refreshedAt = Date.now();
      return s;
    }).finally(() => { refreshing = null; });
    return refreshing;
  };

  // Patroni's API answers /cluster with dcs.get_cluster(), which on etcd v3 is the daemon's watch
  // cache: current to the last event, and no etcd round trip per request.
  const freshCluster = () => dcs.getCluster();

  return {
    scope: cfg.scope,
    name: cfg.name,
    version: PATRONI_VERSION,
    async nodeStatus(): Promise<NodeStatusReport> {
      const s = await snapshot();
      const cluster = node.cluster;
      const leaderTl = cluster?.leader?.member?.data.timeline;
      return buildNodeStatus({
        snapshot: s, internalRole: node.memory.role, cluster, dynamic: node.dynamic,
        replicaTimeline: s.server?.timeline ?? leaderTl ?? null,
        failsafeActive: node.failsafeIsActive(), watchdogHealthy: node.watchdog.isHealthy, dcsLastSeen: Math.floor(node.lastDcsSeen / 1000), tags: publishedTags(node.config.tags),
        identity: { version: PATRONI_VERSION, scope: cfg.scope, name: cfg.name },
        scheduledRestart: node.memory.scheduledRestart ? scheduledRestartJson(node.memory.scheduledRestart) : null,
      });
    },
    cachedCluster: (): Cluster | null => node.cluster,
    freshCluster,
    dynamic: () => node.dynamic,
    isLeader: () => node.isLeader(),
    tags: () => publishedTags(node.config.tags),
    nextHeartbeatDue: () => node.lastCycleAt + node.dynamic.loop_wait * 1000,
    postgresState: () => node.snapshot?.state ?? 'stopped',
    isRunningPrimary: () => !!node.snapshot?.server && !node.snapshot.server.inRecovery && node.snapshot.state === 'running',
    failsafeActive: () => node.failsafeIsActive(),
    dcs: () => dcs,
    wakeup: () => dcs.wakeup(),
    actions: nodeActions(node),
    lastDecision: () => node.lastExplanation,
  };
}
