// GET /dashboard/state: the ClusterView the page polls. The cluster comes from the daemon's watch cache
// (never a DCS read), members are asked over REST at most once per second however many pages are open:
// concurrent and repeated requests within REFRESH_MS share one gathering.
import type { ApiContext } from '../context.js';
import { isObject, parseJson } from '../../util/json.js';
import { buildClusterView, lastDecisionOf, type ClusterView, type MemberProbeResult } from './view.js';

const REFRESH_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;

export type DashboardState =
  | { ok: true; servedBy: string; generatedAt: string; view: ClusterView }
  | { ok: false; servedBy: string; generatedAt: string; error: string };

interface Cached {
  at: number;
  state: Promise<DashboardState>;
}
const cache = new WeakMap<ApiContext, Cached>();

export function dashboardState(ctx: ApiContext, now = Date.now()): Promise<DashboardState> {
  const hit = cache.get(ctx);
  if (hit && now - hit.at < REFRESH_MS) return hit.state;
  const state = gather(ctx);
  cache.set(ctx, { at: now, state });
  return state;
}

async function getJson(url: URL): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  return { status: res.status, json: parseJson(await res.text()) };
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function probePeer(apiUrl: string): Promise<MemberProbeResult> {
  const at = (path: string) => {
    const u = new URL(apiUrl);
    u.pathname = path;
    u.search = '';
    return u;
  };
  const [status, explain] = await Promise.allSettled([getJson(at('/patroni')), getJson(at('/explain'))]);
  return {
    status:
      status.status === 'rejected'
        ? { ok: false, error: errorText(status.reason) }
        : isObject(status.value.json)
          ? { ok: true, body: status.value.json }
          : { ok: false, error: `HTTP ${status.value.status}` },
    explain: explain.status === 'fulfilled' && explain.value.status === 200 ? lastDecisionOf(explain.value.json) : null,
  };
}

async function gather(ctx: ApiContext): Promise<DashboardState> {
  const generatedAt = new Date().toISOString();
  const cluster = ctx.cachedCluster();
  if (!cluster) return { ok: false, servedBy: ctx.name, generatedAt, error: 'the DCS is not reachable from this node' };
  const probes = await Promise.all(
    cluster.members
      .filter((m) => m.data.api_url)
      .map(async (m): Promise<[string, MemberProbeResult]> => {
        if (m.name !== ctx.name) return [m.name, await probePeer(m.data.api_url!)];
        // This node: its own status and decision, no HTTP round trip to itself.
        const body = parseJson(JSON.stringify((await ctx.nodeStatus()).status));
        return [m.name, { status: isObject(body) ? { ok: true, body } : { ok: false, error: 'no status' }, explain: lastDecisionOf(ctx.lastDecision()) }];
      }),
  );
  return { ok: true, servedBy: ctx.name, generatedAt, view: buildClusterView(ctx.scope, cluster, ctx.dynamic(), new Map(probes)) };
}
