// The REST API's view of this node: served from the HA loop's cached state, refreshing the
// PostgreSQL snapshot at most every FRESH_MS (concurrent requests share one refresh), so load on
// the API never reaches the HA cycle and peers racing for leadership still see current WAL positions.
// Health checks (the load balancers' GET /primary, /replica... under heavy polling) never wait for a
// refresh while the snapshot is younger than STALE_MS: they get the cached one and start the refresh
// in the background (stale-while-revalidate), so no request of a busy balancer waits for a SQL round
// trip. The status object is built once per change of its inputs, not per request, which also lets
// the server reuse its serialised body (server.ts).
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
import { SnapshotCache } from './snapshot-cache.js';

const FRESH_MS = 250;
/** Health checks accept a snapshot this old while a refresh runs; older ones are awaited as before. */
const STALE_MS = 2 * FRESH_MS;

export function apiContext(node: HaNode, cfg: PatroniConfig, dcs: Dcs, pg: PostgresController): ApiContext {
  const snapshots = new SnapshotCache<PostgresSnapshot>(
    {
      current: () => node.snapshot,
      take: () => pg.snapshot(),
      store: (s) => {
        node.snapshot = s;
      },
      now: () => Date.now(),
    },
    FRESH_MS,
  );
  const snapshot = (maxAgeMs: number): Promise<PostgresSnapshot> => snapshots.get(maxAgeMs);

  const tagsMemo = memo1((tags: PatroniConfig['tags']) => publishedTags(tags));
  let statusMemo: { key: readonly unknown[]; report: NodeStatusReport } | null = null;

  const nodeStatus = async (maxAgeMs: number): Promise<NodeStatusReport> => {
    const s = await snapshot(maxAgeMs);
    const cluster = node.cluster;
    const tags = tagsMemo(node.config.tags);
    const key = [
      s,
      cluster,
      node.memory.role,
      node.dynamic,
      node.failsafeIsActive(),
      node.watchdog.isHealthy,
      Math.floor(node.lastDcsSeen / 1000),
      tags,
      node.memory.scheduledRestart,
    ];
    if (statusMemo && sameKey(statusMemo.key, key)) return statusMemo.report;
    const leaderTl = cluster?.leader?.member?.data.timeline;
    const report = buildNodeStatus({
      snapshot: s,
      internalRole: node.memory.role,
      cluster,
      dynamic: node.dynamic,
      replicaTimeline: s.server?.timeline ?? leaderTl ?? null,
      failsafeActive: node.failsafeIsActive(),
      watchdogHealthy: node.watchdog.isHealthy,
      dcsLastSeen: Math.floor(node.lastDcsSeen / 1000),
      tags,
      identity: { version: PATRONI_VERSION, scope: cfg.scope, name: cfg.name },
      scheduledRestart: node.memory.scheduledRestart ? scheduledRestartJson(node.memory.scheduledRestart) : null,
    });
    statusMemo = { key, report };
    return report;
  };

  // Patroni's API answers /cluster with dcs.get_cluster(), which on etcd v3 is the daemon's watch
  // cache: current to the last event, and no etcd round trip per request.
  const freshCluster = () => dcs.getCluster();

  return {
    scope: cfg.scope,
    name: cfg.name,
    version: PATRONI_VERSION,
    nodeStatus: () => nodeStatus(FRESH_MS),
    healthStatus: () => nodeStatus(STALE_MS),
    cachedCluster: (): Cluster | null => node.cluster,
    freshCluster,
    dynamic: () => node.dynamic,
    isLeader: () => node.isLeader(),
    tags: () => tagsMemo(node.config.tags),
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

const sameKey = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** fn memoised on the identity of its one argument (the last call only). */
function memo1<A, R>(fn: (a: A) => R): (a: A) => R {
  let last: { a: A; r: R } | null = null;
  return (a) => {
    if (last === null || last.a !== a) last = { a, r: fn(a) };
    return last.r;
  };
}
