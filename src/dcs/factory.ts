// Builds the configured DCS backend. Only etcd v3 exists so far; other kinds fail loudly at startup.
import type { DcsConfig } from '../config/types.js';
import type { Dcs } from './dcs.js';
import { Etcd3 } from './etcd3.js';

export interface DcsFactoryConfig {
  scope: string;
  namespace: string;
  name: string;
  dcs: DcsConfig;
  /** Seconds; Patroni's defaults when absent. */
  ttl?: number;
  loopWait?: number;
  retryTimeout?: number;
}

export function createDcs(cfg: DcsFactoryConfig, mode: 'daemon' | 'ctl'): Dcs {
  const dcs = cfg.dcs;
  if (dcs.kind !== 'etcd3') throw new Error(`DCS ${dcs.kind} is not supported yet`);
  return new Etcd3({
    scope: cfg.scope, namespace: cfg.namespace, name: cfg.name, hosts: dcs.hosts, protocol: dcs.protocol,
    username: dcs.username, password: dcs.password, cacert: dcs.cacert, cert: dcs.cert, key: dcs.key,
    useProxies: dcs.use_proxies, ttl: cfg.ttl ?? 30, loopWait: cfg.loopWait ?? 10, retryTimeout: cfg.retryTimeout ?? 10, mode,
  });
}
