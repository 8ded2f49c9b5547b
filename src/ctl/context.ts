// What every patronictl command gets: the loaded config, DCS access per cluster name (one Dcs per
// scope, closed at exit), REST calls to members, prompts and an output sink.
import type { DcsConfig } from '../config/types.js';
import type { Cluster, Member } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import { createDcs } from '../dcs/factory.js';
import type { Json, JsonObject } from '../util/json.js';
import { ctlDcsConfig } from './config.js';
import { CtlError } from './errors.js';
import type { Prompter } from './prompt.js';
import { requestPatroni, type RestResponse } from './rest.js';

export interface CtlContext {
  config: JsonObject;
  /** Disable REST certificate verification (`-k` or `ctl.insecure`). */
  insecure: boolean;
  out(text: string): void;
  prompts: Prompter;
  /** The DCS of one cluster, for writes (failover key, config, remove, scaffold). */
  dcs(scope: string): Promise<Dcs>;
  /** Fresh (linearizable) read of a cluster. */
  getCluster(scope: string): Promise<Cluster>;
  /** REST call to a member's API (`endpoint` replaces the api_url path). Only network errors throw. */
  request(member: Member, method: string, endpoint?: string, data?: Json, timeoutMs?: number): Promise<RestResponse>;
  close(): Promise<void>;
}

const AVAILABLE = 'consul, etcd, etcd3, exhibitor, kubernetes, raft, zookeeper';

export function createCtlContext(
  config: JsonObject,
  insecure: boolean,
  out: (text: string) => void,
  prompts: Prompter,
  /** The DCS section already resolved (etcd found through DNS SRV); else read from `config` on first use. */
  resolvedDcs?: DcsConfig,
): CtlContext {
  const open = new Map<string, Dcs>();
  const dcsFor = async (scope: string): Promise<Dcs> => {
    const existing = open.get(scope);
    if (existing) return existing;
    const dcs = resolvedDcs ?? ctlDcsConfig(config);
    if (!dcs) throw new CtlError(`Can not find suitable configuration of distributed configuration store\nAvailable implementations: ${AVAILABLE}`);
    const namespace = typeof config.namespace === 'string' ? config.namespace : 'service';
    const name = typeof config.name === 'string' ? config.name : scope;
    let created: Dcs;
    try {
      created = await createDcs({ scope, namespace, name, dcs }, 'ctl');
    } catch (e) {
      // "DCS <kind> is not supported yet": a clear command error, not a traceback.
      throw new CtlError(e instanceof Error ? e.message : String(e));
    }
    open.set(scope, created);
    return created;
  };
  return {
    config,
    insecure,
    out,
    prompts,
    dcs: dcsFor,
    getCluster: async (scope) => (await dcsFor(scope)).getCluster({ fresh: true }),
    request: (member, method, endpoint, data, timeoutMs) => {
      const apiUrl = member.data.api_url;
      if (!apiUrl) return Promise.reject(new Error(`Member ${member.name} has no api_url`));
      return requestPatroni(config, insecure, apiUrl, method, endpoint, data, timeoutMs);
    },
    close: async () => {
      prompts.close();
      await Promise.all([...open.values()].map((d) => d.close()));
      open.clear();
    },
  };
}

/** `[CLUSTER]` arguments default to the configured scope. */
export function clusterName(ctx: CtlContext, given: string | undefined): string {
  const name = given ?? (typeof ctx.config.scope === 'string' ? ctx.config.scope : undefined);
  if (!name) throw new CtlError('You must specify a cluster name (or set scope in the configuration)');
  return name;
}
