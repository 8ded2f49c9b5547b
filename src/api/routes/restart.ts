// POST /restart and DELETE /restart (Patroni's RestApiHandler.do_POST_restart, do_DELETE_restart).
import { log } from '../../log/logger.js';
import { readJsonBody } from '../body.js';
import type { ApiContext, RestartOutcome } from '../context.js';
import { parseRestartRequest, restartMatches, type RestartFilters } from '../restart-request.js';
import type { ApiResponse } from '../response.js';
import type { Route, RouteList, RouteOptions } from './types.js';

const text = (code: number, message: string): ApiResponse => ({ kind: 'text', code, text: message });

function outcomeResponse(o: RestartOutcome): ApiResponse {
  switch (o.kind) {
    case 'restarted':
      return text(200, 'restarted successfully');
    case 'still_starting':
      return text(503, 'postgres is still starting');
    case 'failed':
      return text(503, 'restart failed');
    case 'busy':
      return text(503, `${o.action} already in progress`);
  }
}

async function restartNow(ctx: ApiContext, filters: RestartFilters): Promise<ApiResponse> {
  try {
    const { status } = await ctx.nodeStatus();
    const facts = { role: status.role, serverVersion: status.server_version ?? 0, pendingRestart: status.pending_restart === true };
    if (!restartMatches(filters, facts)) {
      log.info('not proceeding with the restart: restart conditions are not satisfied');
      return text(503, 'restart conditions are not satisfied');
    }
    return outcomeResponse(await ctx.actions.restart(filters.timeoutSeconds !== undefined ? { timeoutSeconds: filters.timeoutSeconds } : {}));
  } catch (e) {
    log.error('Exception during restart: %s', e instanceof Error ? (e.stack ?? e.message) : String(e));
    return text(400, 'restart failed');
  }
}

function postRestart(opts: RouteOptions): Route {
  return {
    access: 'protected',
    async handle(req, ctx) {
      const body = await readJsonBody(req, 'optional');
      if (body.kind === 'refused') return body.response;
      const parsed = parseRestartRequest(body.body, ctx.dynamic().pause, opts.now());
      switch (parsed.kind) {
        case 'invalid':
          return text(parsed.code, parsed.message);
        case 'scheduled':
          return ctx.actions.scheduleRestart(parsed.restart) ? text(202, 'Restart scheduled') : text(409, 'Another restart is already scheduled');
        case 'now':
          return restartNow(ctx, parsed.filters);
      }
    },
  };
}

const deleteRestart: Route = {
  access: 'protected',
  async handle(_req, ctx) {
    return ctx.actions.deleteScheduledRestart() ? text(200, 'scheduled restart deleted') : text(404, 'no restarts are scheduled');
  },
};

export function restartRoutes(opts: RouteOptions): RouteList {
  return [
    ['POST', 'restart', postRestart(opts)],
    ['DELETE', 'restart', deleteRestart],
  ];
}
