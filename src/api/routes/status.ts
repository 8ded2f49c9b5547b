// Read endpoints: GET /patroni, /cluster, /history (RestApiHandler.do_GET_patroni, do_GET_cluster,
// do_GET_history), and our GET /explain.
import { clusterAsJson } from '../cluster-json.js';
import type { Route, RouteList } from './types.js';

const getPatroni: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const { status } = await ctx.nodeStatus();
    return { kind: 'json', code: 200, body: status, shared: true };
  },
};

const getCluster: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const cluster = await ctx.freshCluster();
    return { kind: 'json', code: 200, body: clusterAsJson(cluster, ctx.dynamic(), ctx.scope) };
  },
};

const getHistory: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const cluster = ctx.cachedCluster() ?? (await ctx.freshCluster());
    return { kind: 'json', code: 200, body: cluster.history?.lines ?? [] };
  },
};

/** Why this node did what it did last cycle: the decision's message, steps and per-member reasons. */
const getExplain: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const d = ctx.lastDecision();
    return d ? { kind: 'json', code: 200, body: { ...d } } : { kind: 'text', code: 503, text: 'no HA cycle has run yet' };
  },
};

export function statusRoutes(): RouteList {
  return [
    ['GET', 'patroni', getPatroni],
    ['GET', 'cluster', getCluster],
    ['GET', 'history', getHistory],
    ['GET', 'explain', getExplain],
  ];
}
