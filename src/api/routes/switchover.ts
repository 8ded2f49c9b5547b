// POST /switchover, POST /failover, DELETE /switchover (RestApiHandler.do_POST_switchover,
// do_POST_failover, do_DELETE_switchover).
import type { Cluster } from '../../dcs/cluster.js';
import { formatFailover } from '../../dcs/format.js';
import { log } from '../../log/logger.js';
import { readJsonBody } from '../body.js';
import type { ApiContext } from '../context.js';
import type { ApiResponse } from '../response.js';
import type { Route, RouteList, RouteOptions } from './types.js';
import {
  canTakeOver,
  noGoodCandidates,
  pollTimedOut,
  pollVerdict,
  switchoverCandidates,
  validateSwitchover,
  type SwitchoverAction,
  type SwitchoverRequest,
} from '../switchover-check.js';

const text = (code: number, message: string): ApiResponse => ({ kind: 'text', code, text: message });
const POLLS_PER_ROUND = 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Feasibility (fresh cluster view, parallel probes): null when some candidate can take over. */
async function infeasibility(ctx: ApiContext, cluster: Cluster, req: SwitchoverRequest, opts: RouteOptions): Promise<string | null> {
  const members = switchoverCandidates(cluster, req, ctx.dynamic().synchronous_mode === 'on');
  if (typeof members === 'string') return members;
  const statuses = await Promise.all(members.map((m) => (m.data.api_url ? opts.probe(m.data.api_url) : Promise.resolve(null))));
  return statuses.some(canTakeOver) ? null : noGoodCandidates(req.action);
}

/**
 * Watch the DCS until the leader changes or the HA loop clears the failover key. Patroni's
 * `poll_failover_result` looks once a second for 2 * max(10, loop_wait) seconds; we look ten times as
 * often over the same time, so the operator's command returns right after the candidate leads.
 */
async function poll(ctx: ApiContext, oldLeader: string | undefined, req: SwitchoverRequest, opts: RouteOptions): Promise<ApiResponse> {
  const rounds = 2 * Math.max(10, ctx.dynamic().loop_wait);
  for (let i = 0; i < rounds * POLLS_PER_ROUND; i++) {
    await sleep(opts.pollIntervalMs / POLLS_PER_ROUND);
    try {
      const verdict = pollVerdict(await ctx.freshCluster(), oldLeader, req);
      if (verdict.kind === 'done') return text(verdict.code, verdict.message);
    } catch (e) {
      log.debug('Exception occurred during polling %s result: %s', req.action, e instanceof Error ? e.message : String(e));
    }
  }
  return text(503, pollTimedOut(req.action, rounds));
}

function postSwitchover(action: SwitchoverAction, opts: RouteOptions): Route {
  return {
    access: 'protected',
    async handle(httpReq, ctx) {
      const body = await readJsonBody(httpReq, 'required');
      if (body.kind === 'refused') return body.response;
      const b = body.body;
      log.info('received %s request with leader=%s candidate=%s scheduled_at=%s', action, b.leader, b.candidate ?? b.member, b.scheduled_at);
      const req = validateSwitchover(action, b, ctx.dynamic().pause, opts.now());
      if ('kind' in req) return text(req.code, req.message);
      const before = await ctx.freshCluster();
      if (!req.scheduled) {
        const refusal = await infeasibility(ctx, before, req, opts);
        if (refusal) return text(412, refusal);
      }
      const value = formatFailover({ leader: req.leader, candidate: req.candidate, scheduledAt: req.scheduled?.iso });
      let written = false;
      try {
        written = await ctx.dcs().setFailoverValue(value);
      } catch (e) {
        log.error('Failed to write failover key: %s', e instanceof Error ? e.message : String(e));
      }
      if (!written) return text(503, 'failed to write failover key into DCS');
      ctx.wakeup();
      if (req.scheduled) return text(202, `${req.action === 'switchover' ? 'Switchover' : 'Failover'} scheduled`);
      return poll(ctx, before.leader?.name, req, opts);
    },
  };
}

const deleteSwitchover: Route = {
  access: 'protected',
  async handle(_req, ctx) {
    const failover = (await ctx.freshCluster()).failover;
    if (!failover?.scheduledAt) return text(404, 'no switchover is scheduled');
    if (!(await ctx.dcs().setFailoverValue(formatFailover(), failover.version))) return { kind: 'error', code: 409 };
    return text(200, 'scheduled switchover deleted');
  },
};

export function switchoverRoutes(opts: RouteOptions): RouteList {
  return [
    ['POST', 'switchover', postSwitchover('switchover', opts)],
    ['POST', 'failover', postSwitchover('failover', opts)],
    ['DELETE', 'switchover', deleteSwitchover],
  ];
}
