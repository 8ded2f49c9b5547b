// The route table: `METHOD first-path-segment` -> handler. GET/HEAD/OPTIONS requests without a route
// fall into the health-check logic (server.ts). Write endpoints (switchover, restart, config PATCH...)
// register here with `unsafe: true` so the server applies access control before calling them.
import type { ApiContext } from './context.js';
import { clusterAsJson } from './cluster-json.js';
import { livenessCode, readinessCode } from './health.js';
import type { ApiRequest, ApiResponse } from './response.js';

export interface Route {
  /** Protected endpoint (rest-api.md §2): allowlist / client cert / basic auth checked first. */
  unsafe: boolean;
  handle(req: ApiRequest, ctx: ApiContext): Promise<ApiResponse>;
}

export type RouteTable = Map<string, Route>;

export const routeKey = (method: string, segment: string): string => `${method} ${segment}`;

const getPatroni: Route = {
  unsafe: false,
  async handle(_req, ctx) {
    const { status } = await ctx.nodeStatus();
    return { kind: 'json', code: 200, body: status };
  },
};

const getCluster: Route = {
  unsafe: false,
  async handle(_req, ctx) {
    const cluster = await ctx.freshCluster();
    return { kind: 'json', code: 200, body: clusterAsJson(cluster, ctx.dynamic(), ctx.scope) };
  },
};

const getHistory: Route = {
  unsafe: false,
  async handle(_req, ctx) {
    const cluster = ctx.cachedCluster() ?? (await ctx.freshCluster());
    return { kind: 'json', code: 200, body: cluster.history?.lines ?? [] };
  },
};

const getConfig: Route = {
  unsafe: false,
  async handle(_req, ctx) {
    const cluster = ctx.cachedCluster() ?? (await ctx.freshCluster());
    if (cluster.config && cluster.config.modifyVersion) return { kind: 'json', code: 200, body: cluster.config.data };
    return { kind: 'error', code: 502 };
  },
};

const getLiveness: Route = {
  unsafe: false,
  async handle(_req, ctx) {
    const d = ctx.dynamic();
    const code = livenessCode({
      paused: d.pause, nextHeartbeatDue: ctx.nextHeartbeatDue(), ttl: d.ttl, runningPrimary: ctx.isRunningPrimary(), now: Date.now(),
    });
    return { kind: 'status', code };
  },
};

const getReadiness: Route = {
  unsafe: false,
  async handle(req, ctx) {
    const isLeader = ctx.isLeader();
    const postgresState = ctx.postgresState();
    // The status costs a SQL round trip: only fetch it when the cheap checks do not decide.
    const report = isLeader || postgresState !== 'running' ? null : await ctx.nodeStatus();
    if (!report) return { kind: 'status', code: isLeader ? 200 : 503 };
    const code = readinessCode(req.query, {
      isLeader, postgresState, status: report.status, latestEndLsn: report.latestEndLsn, cluster: ctx.cachedCluster(),
      failsafeActive: ctx.failsafeActive(), maximumLagOnFailover: ctx.dynamic().maximum_lag_on_failover,
    });
    return { kind: 'status', code };
  },
};

/** The read-only routes of this issue; callers may add write routes to the returned map. */
export function readRoutes(): RouteTable {
  return new Map([
    [routeKey('GET', 'patroni'), getPatroni],
    [routeKey('GET', 'cluster'), getCluster],
    [routeKey('GET', 'history'), getHistory],
    [routeKey('GET', 'config'), getConfig],
    [routeKey('GET', 'liveness'), getLiveness],
    [routeKey('GET', 'readiness'), getReadiness],
  ]);
}
