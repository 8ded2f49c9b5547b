// GET /metrics (RestApiHandler.do_GET_metrics).
import { renderMetrics } from '../metrics.js';
import type { Route, RouteList } from './types.js';

const getMetrics: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const { status } = await ctx.nodeStatus();
    const failsafe = ctx.cachedCluster()?.failsafe ?? null;
    const text = renderMetrics({
      status,
      scope: ctx.scope,
      name: ctx.name,
      version: ctx.version,
      failsafeModeEnabled: ctx.dynamic().failsafe_mode,
      failsafeMember: failsafe !== null && Object.hasOwn(failsafe, ctx.name),
      tags: ctx.tags(),
    });
    return { kind: 'plain', code: 200, text };
  },
};

export function metricsRoutes(): RouteList {
  return [['GET', 'metrics', getMetrics]];
}
