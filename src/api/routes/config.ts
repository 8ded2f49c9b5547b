// GET / PATCH / PUT /config (RestApiHandler.do_GET_config, do_PATCH_config, do_PUT_config): the dynamic
// configuration in the DCS.
import { deepCompare, patchConfig } from '../config-patch.js';
import { readJsonBody } from '../body.js';
import type { Route, RouteList } from './types.js';

const getConfig: Route = {
  access: 'public',
  async handle(_req, ctx) {
    const cluster = ctx.cachedCluster() ?? (await ctx.freshCluster());
    if (cluster.config && cluster.config.modifyVersion) return { kind: 'json', code: 200, body: cluster.config.data };
    return { kind: 'error', code: 502 };
  },
};

const patchConfigRoute: Route = {
  access: 'protected',
  async handle(req, ctx) {
    const body = await readJsonBody(req, 'required');
    if (body.kind === 'refused') return body.response;
    const cluster = await ctx.freshCluster();
    const stored = cluster.config;
    if (!stored || !stored.modifyVersion) return { kind: 'error', code: 503 };
    const { config, changed } = patchConfig(stored.data, body.body);
    if (changed) {
      // Compare-and-swap on the version we read: a concurrent editor makes us answer 409.
      if (!(await ctx.dcs().setConfigValue(JSON.stringify(config), stored.version))) return { kind: 'error', code: 409 };
    }
    ctx.wakeup();
    return { kind: 'json', code: 200, body: config };
  },
};

const putConfig: Route = {
  access: 'protected',
  async handle(req, ctx) {
    const body = await readJsonBody(req, 'required');
    if (body.kind === 'refused') return body.response;
    const cluster = await ctx.freshCluster();
    if (!cluster.config || !deepCompare(body.body, cluster.config.data)) {
      if (!(await ctx.dcs().setConfigValue(JSON.stringify(body.body)))) return { kind: 'error', code: 502 };
    }
    return { kind: 'json', code: 200, body: body.body };
  },
};

export function configRoutes(): RouteList {
  return [
    ['GET', 'config', getConfig],
    ['PATCH', 'config', patchConfigRoute],
    ['PUT', 'config', putConfig],
  ];
}
