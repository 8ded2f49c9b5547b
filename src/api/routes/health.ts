// GET /liveness and /readiness (RestApiHandler.do_GET_liveness, do_GET_readiness); the other health
// paths are the server's fallback for unrouted GET/HEAD/OPTIONS requests.
import { livenessCode, readinessCode } from '../health.js';
import type { Route, RouteList } from './types.js';

const getLiveness: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const d = ctx.dynamic();
    const code = livenessCode({
      paused: d.pause,
      nextHeartbeatDue: ctx.nextHeartbeatDue(),
      ttl: d.ttl,
      runningPrimary: ctx.isRunningPrimary(),
      now: Date.now(),
    });
    return { kind: 'status', code };
  },
};

const getReadiness: Route = {
  access: 'public',
  async handle(req, ctx) {
    const isLeader = ctx.isLeader();
    const postgresState = ctx.postgresState();
    // The status costs a SQL round trip: only fetch it when the cheap checks do not decide.
    const report = isLeader || postgresState !== 'running' ? null : await ctx.healthStatus();
    if (!report) return { kind: 'status', code: isLeader ? 200 : 503 };
    const code = readinessCode(req.query, {
      isLeader,
      postgresState,
      status: report.status,
      latestEndLsn: report.latestEndLsn,
      cluster: ctx.cachedCluster(),
      failsafeActive: ctx.failsafeActive(),
      maximumLagOnFailover: ctx.dynamic().maximum_lag_on_failover,
    });
    return { kind: 'status', code };
  },
};

export function healthRoutes(): RouteList {
  return [
    ['GET', 'liveness', getLiveness],
    ['GET', 'readiness', getReadiness],
  ];
}
