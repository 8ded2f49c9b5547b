// What every patronictl command gets: the loaded config, DCS access per cluster name (one Dcs per
// scope, closed at exit) and an output sink.
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import { createDcs } from '../dcs/factory.js';
import type { JsonObject } from '../util/json.js';
import { ctlDcsConfig } from './config.js';
import { CtlError } from './errors.js';

export interface CtlContext {
  config: JsonObject;
  /** Disable REST certificate verification (`-k` or `ctl.insecure`). */
  insecure: boolean;
  out(text: string): void;
  /** Fresh (linearizable) read of a cluster. */
  getCluster(scope: string): Promise<Cluster>;
  close(): Promise<void>;
}

const AVAILABLE = 'consul, etcd, etcd3, exhibitor, kubernetes, raft, zookeeper';

export function createCtlContext(config: JsonObject, insecure: boolean, out: (text: string) => void): CtlContext {
  const open = new Map<string, Dcs>();
  const dcsFor = (scope: string): Dcs => {
    const existing = open.get(scope);
    if (existing) return existing;
    const dcs = ctlDcsConfig(config);
    if (!dcs) throw new CtlError(`Can not find suitable configuration of distributed configuration store\nAvailable implementations: ${AVAILABLE}`);
    const namespace = typeof config.namespace === 'string' ? config.namespace : 'service';
    const name = typeof config.name === 'string' ? config.name : scope;
    const created = createDcs({ scope, namespace, name, dcs }, 'ctl');
    open.set(scope, created);
    return created;
  };
  return {
    config, insecure, out,
    getCluster: (scope) => dcsFor(scope).getCluster({ fresh: true }),
    close: async () => {
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
