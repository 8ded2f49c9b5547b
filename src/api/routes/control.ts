// POST /reload, /reinitialize, /sigterm, and the MPP hooks /citus and /mpp (RestApiHandler's
// do_POST_reload, do_POST_reinitialize, do_POST_sigterm, do_POST_citus, do_POST_mpp).
import { parseBool } from '../../util/json.js';
import { readJsonBody } from '../body.js';
import type { ReinitializeOutcome } from '../context.js';
import type { ApiResponse } from '../response.js';
import type { Route, RouteList } from './types.js';

const text = (code: number, message: string): ApiResponse => ({ kind: 'text', code, text: message });

const postReload: Route = {
  access: 'protected',
  async handle(_req, ctx) {
    ctx.actions.reload();
    return text(202, 'reload scheduled');
  },
};

function reinitResponse(o: ReinitializeOutcome): ApiResponse {
  switch (o.kind) {
    case 'started':
      return text(200, 'reinitialize started');
    case 'no_leader':
      return text(503, 'Cluster has no leader, can not reinitialize');
    case 'is_leader':
      return text(503, 'I am the leader, can not reinitialize');
    case 'busy':
      return text(503, `${o.action} already in progress`);
  }
}

const postReinitialize: Route = {
  access: 'protected',
  async handle(req, ctx) {
    const body = await readJsonBody(req, 'optional');
    if (body.kind === 'refused') return body.response;
    // `from_leader` with an underscore: the documented `from-leader` is not what Patroni reads.
    const force = parseBool(body.body.force) === true;
    const fromLeader = parseBool(body.body.from_leader) === true;
    return reinitResponse(await ctx.actions.reinitialize({ force, fromLeader }));
  },
};

/** Patroni only acts on it in Windows test runs; answered, never acted upon. */
const postSigterm: Route = {
  access: 'protected',
  async handle() {
    return text(202, 'shutdown scheduled');
  },
};

/** Citus coordinator events. We run no Citus coordinator, so a valid event is acknowledged only. */
function mppEvent(access: Route['access']): Route {
  return {
    access,
    async handle(req) {
      const body = await readJsonBody(req, 'required');
      if (body.kind === 'refused') return body.response;
      return text(200, 'OK');
    },
  };
}

export function controlRoutes(): RouteList {
  return [
    ['POST', 'reload', postReload],
    ['POST', 'reinitialize', postReinitialize],
    ['POST', 'sigterm', postSigterm],
    ['POST', 'citus', mppEvent('protected')],
    ['POST', 'mpp', mppEvent('public')],
  ];
}
