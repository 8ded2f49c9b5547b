// The route table: `METHOD first-path-segment` -> handler. GET/HEAD/OPTIONS requests without a route
// fall into the health-check logic (server.ts). Protected routes get access control (access.ts)
// before their handler runs. Handlers live in routes/, one file per concern.
import { configRoutes } from './routes/config.js';
import { controlRoutes } from './routes/control.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { failsafeRoutes } from './routes/failsafe.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { restartRoutes } from './routes/restart.js';
import { statusRoutes } from './routes/status.js';
import { switchoverRoutes } from './routes/switchover.js';
import { fetchMemberStatus } from './probe.js';
import { routeKey, type RouteList, type RouteOptions, type RouteTable } from './routes/types.js';

export const DEFAULT_ROUTE_OPTIONS: RouteOptions = { probe: fetchMemberStatus, pollIntervalMs: 1000, now: () => new Date() };

/** Every endpoint of Patroni's RestApiHandler. */
export function apiRoutes(opts: Partial<RouteOptions> = {}): RouteTable {
  const o: RouteOptions = { ...DEFAULT_ROUTE_OPTIONS, ...opts };
  const all: RouteList = [
    ...statusRoutes(),
    ...healthRoutes(),
    ...configRoutes(),
    ...metricsRoutes(),
    ...switchoverRoutes(o),
    ...restartRoutes(o),
    ...controlRoutes(),
    ...failsafeRoutes(),
    ...dashboardRoutes(),
  ];
  return new Map(all.map(([method, segment, route]) => [routeKey(method, segment), route]));
}
