// Builds the configured DCS backend: one folder or file per backend behind the Dcs interface.
// Consul, Kubernetes and Raft are refused with one line until a real server can run in the tests.
// Backends other than etcd v3 are imported when configured, not at start: ZooKeeper's client library
// alone costs every etcd v3 daemon ~1.5 MiB of RSS (docs/decisions.md, idle cost).
import type { DcsConfig, ExhibitorConfig, ZookeeperConfig } from '../config/types.js';
import { unsupportedDcs } from '../config/normalize-dcs.js';
import type { Dcs } from './dcs.js';
import { Etcd3 } from './etcd3.js';
import type { Reseed } from './srv-discovery.js';
import type { ZooKeeperOptions } from './zookeeper/zookeeper.js';

export interface DcsFactoryConfig {
  scope: string;
  namespace: string;
  name: string;
  dcs: DcsConfig;
  /** Seconds; Patroni's defaults when absent. */
  ttl?: number;
  loopWait?: number;
  retryTimeout?: number;
  /** etcd found through DNS SRV: ask it again when every endpoint failed (srv-discovery.ts). */
  reseed?: Reseed;
}

const zkSecurity = (dcs: ZookeeperConfig | ExhibitorConfig): Pick<ZooKeeperOptions, 'tls' | 'acl'> => ({
  ...(dcs.tls ? { tls: dcs.tls } : {}),
  ...(dcs.acl ? { acl: dcs.acl } : {}),
});

const baseUrl = (host: string, protocol: string): string => (/^[a-z]+:\/\//i.test(host) ? host.replace(/\/+$/, '') : `${protocol}://${host}`);

export async function createDcs(cfg: DcsFactoryConfig, mode: 'daemon' | 'ctl'): Promise<Dcs> {
  const dcs = cfg.dcs;
  const common = {
    scope: cfg.scope,
    namespace: cfg.namespace,
    name: cfg.name,
    mode,
    ttl: cfg.ttl ?? 30,
    loopWait: cfg.loopWait ?? 10,
    retryTimeout: cfg.retryTimeout ?? 10,
  };
  // DNS SRV is resolved before (srv-discovery.ts): building on the fallback hosts alone would quietly differ.
  if ((dcs.kind === 'etcd' || dcs.kind === 'etcd3') && dcs.srv) throw new Error(`${dcs.kind}.srv must be resolved before the client is built`);
  switch (dcs.kind) {
    case 'etcd3':
      return new Etcd3({
        ...common,
        hosts: dcs.hosts,
        protocol: dcs.protocol,
        username: dcs.username,
        password: dcs.password,
        cacert: dcs.cacert,
        cert: dcs.cert,
        key: dcs.key,
        useProxies: dcs.use_proxies,
        reseed: cfg.reseed,
      });
    case 'etcd': {
      const { Etcd2 } = await import('./etcd2/etcd2.js');
      return new Etcd2({
        ...common,
        endpoints: dcs.hosts.map((h) => baseUrl(h, dcs.protocol)),
        protocol: dcs.protocol,
        username: dcs.username,
        password: dcs.password,
        cacert: dcs.cacert,
        cert: dcs.cert,
        key: dcs.key,
        useProxies: dcs.use_proxies,
        reseed: cfg.reseed,
      });
    }
    case 'zookeeper': {
      const { ZooKeeper } = await import('./zookeeper/zookeeper.js');
      return new ZooKeeper({ ...common, hosts: dcs.hosts, authData: dcs.auth_data, ...zkSecurity(dcs) });
    }
    case 'exhibitor': {
      const { Exhibitor } = await import('./zookeeper/exhibitor.js');
      return new Exhibitor({ ...common, exhibitors: dcs.hosts, port: dcs.port, pollInterval: dcs.poll_interval, authData: dcs.auth_data, ...zkSecurity(dcs) });
    }
    default:
      throw new Error(unsupportedDcs(dcs.kind));
  }
}
