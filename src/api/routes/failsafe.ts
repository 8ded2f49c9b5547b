// GET /failsafe and the leader's failsafe heartbeat POST /failsafe (RestApiHandler.do_GET_failsafe,
// do_POST_failsafe).
import { isObject, type JsonObject } from '../../util/json.js';
import { readJsonBody } from '../body.js';
import type { FailsafeHeartbeat } from '../../ha/core/failsafe.js';
import type { Route, RouteList } from './types.js';

const getFailsafe: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const failsafe = ctx.cachedCluster()?.failsafe;
    return failsafe ? { kind: 'json', code: 200, body: failsafe } : { kind: 'error', code: 502 };
  },
};

/** The heartbeat fields we use; a body without a leader name is not a heartbeat. */
export function failsafeLeader(body: JsonObject): FailsafeHeartbeat | null {
  if (typeof body.name !== 'string' || !body.name) return null;
  const slots: Record<string, number> = {};
  if (isObject(body.slots)) for (const [k, v] of Object.entries(body.slots)) if (typeof v === 'number') slots[k] = v;
  return {
    name: body.name,
    ...(typeof body.conn_url === 'string' ? { conn_url: body.conn_url } : {}),
    ...(typeof body.api_url === 'string' ? { api_url: body.api_url } : {}),
    ...(isObject(body.slots) ? { slots } : {}),
  };
}

const postFailsafe: Route = {
  access: 'protected-no-member-allowlist',
  async handle(req, ctx) {
    if (!ctx.dynamic().failsafe_mode) return { kind: 'error', code: 502 };
    const body = await readJsonBody(req, 'required');
    if (body.kind === 'refused') return body.response;
    const leader = failsafeLeader(body.body);
    if (!leader) return { kind: 'error', code: 400 };
    const outcome = ctx.actions.failsafeHeartbeat(leader);
    if (outcome.kind === 'running_as_leader') return { kind: 'text', code: 500, text: 'Running as a leader' };
    return { kind: 'text', code: 200, text: 'Accepted', ...(outcome.lsn !== null ? { headers: { lsn: String(outcome.lsn) } } : {}) };
  },
};

export function failsafeRoutes(): RouteList {
  return [
    ['GET', 'failsafe', getFailsafe],
    ['POST', 'failsafe', postFailsafe],
  ];
}
