// What a route is, shared by the route table (../routes.ts) and the handlers beside this file, so
// the handlers never import the module that imports them.
import type { AccessLevel } from '../access.js';
import type { ApiContext } from '../context.js';
import type { MemberProbe } from '../probe.js';
import type { ApiRequest, ApiResponse } from '../response.js';

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
