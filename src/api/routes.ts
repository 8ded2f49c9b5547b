// The route table: `METHOD first-path-segment` -> handler. GET/HEAD/OPTIONS requests without a route
// fall into the health-check logic (server.ts). Protected routes get access control (access.ts)
// before their handler runs. Handlers live in routes/, one file per concern.
import type { AccessLevel } from './access.js';
import type { ApiContext } from './context.js';
import type { ApiRequest, ApiResponse } from './response.js';
import { configRoutes } from './routes/config.js';
import { controlRoutes } from './routes/control.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { failsafeRoutes } from './routes/failsafe.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { restartRoutes } from './routes/restart.js';
import { statusRoutes } from './routes/status.js';
import { switchoverRoutes } from './routes/switchover.js';
import { fetchMemberStatus, type MemberProbe } from './probe.js';

export interface Route {
  access: AccessLevel;
  handle(req: ApiRequest, ctx: ApiContext): Promise<ApiResponse>;
}

export type RouteTable = Map<string, Route>;

export const routeKey = (method: string, segment: string): string => `${method} ${segment}`;

export type RouteList = [method: string, segment: string, route: Route][];

/** Knobs of the slow endpoints; tests shorten them. */
export interface RouteOptions {
  /** GET of a member's api_url for switchover feasibility (2 s timeout). */
  probe: MemberProbe;
  /** Pause between switchover polling rounds (Patroni: 1 s). */
  pollIntervalMs: number;
  now: () => Date;
}

export const DEFAULT_ROUTE_OPTIONS: RouteOptions = { probe: fetchMemberStatus, pollIntervalMs: 1000, now: () => new Date() };

/** Every endpoint of rest-api.md §3. */
export function apiRoutes(opts: Partial<RouteOptions> = {}): RouteTable {
  const o: RouteOptions = { ...DEFAULT_ROUTE_OPTIONS, ...opts };
  const all: RouteList = [
    ...statusRoutes(), ...healthRoutes(), ...configRoutes(), ...metricsRoutes(), ...switchoverRoutes(o),
    ...restartRoutes(o), ...controlRoutes(), ...failsafeRoutes(), ...dashboardRoutes(),
  ];
  return new Map(all.map(([method, segment, route]) => [routeKey(method, segment), route]));
}
