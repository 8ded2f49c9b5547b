// The DCS section of the local configuration -> DcsConfig (the one section Patroni's get_dcs picks).
import type { JsonObject } from '../util/json.js';
import { exhibitorConfig, zookeeperConfig } from './dcs-zookeeper.js';
import { ConfigError } from './errors.js';
import { parseHostPort, Section } from './read.js';
import type { DcsConfig } from './types.js';
import { unsupportedDcs } from './support.js';
import { DCS_SECTIONS } from './validate.js';

export { unsupportedDcs };

const ETCD_DEFAULT_PORT = 2379;

function withDefaultPort(hostPort: string, key: string): string {
  const { host, port } = parseHostPort(hostPort.trim(), key, ETCD_DEFAULT_PORT);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function fromUrl(text: string, key: string): { protocol: string; hostPort: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${key} ${text}: not a valid URL`);
  }
  const protocol = url.protocol.replace(/:$/, '');
  const port = url.port ? Number(url.port) : ETCD_DEFAULT_PORT;
  return { protocol, hostPort: `${url.hostname}:${port}` };
}

/** `srv`, or its old names `discovery_srv` and `srv_domain` (which Patroni's get_etcd_client renames, the last winning). */
function etcdSrv(sec: Section): { domain: string; suffix?: string } | undefined {
  const key = ['srv_domain', 'discovery_srv', 'srv'].find((k) => sec.has(k));
  if (key === undefined) return undefined;
  const suffix = sec.optStr('srv_suffix');
  return { domain: sec.str(key), ...(suffix ? { suffix } : {}) };
}

/**
 * Patroni's order (`_get_machines_cache_from_config`): proxy, then DNS SRV, then hosts, host, url.
 * SRV is resolved at start (src/dcs/srv-discovery.ts); the hosts here are its fallback.
 */
function etcdHosts(sec: Section): { hosts: string[]; protocol?: string; useProxies: boolean; srv?: { domain: string; suffix?: string } } {
  if (sec.has('proxy')) {
    const { protocol, hostPort } = fromUrl(sec.str('proxy'), sec.keyPath('proxy'));
    return { hosts: [hostPort], protocol, useProxies: true };
  }
  const srv = etcdSrv(sec);
  const useProxies = sec.bool('use_proxies', false);
  const withSrv = srv ? { srv } : {};
  if (sec.has('hosts')) {
    const v = sec.raw('hosts');
    const list =
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : sec.strList('hosts');
    return { hosts: list.map((h) => withDefaultPort(h, sec.keyPath('hosts'))), useProxies, ...withSrv };
  }
  if (sec.has('host')) return { hosts: [withDefaultPort(sec.str('host'), sec.keyPath('host'))], useProxies, ...withSrv };
  if (sec.has('url')) {
    const { protocol, hostPort } = fromUrl(sec.str('url'), sec.keyPath('url'));
    return { hosts: [hostPort], protocol, useProxies, ...withSrv };
  }
  if (srv) return { hosts: [], useProxies, srv };
  throw new ConfigError(`${sec.path}: one of host, hosts, url, proxy, srv must be set`);
}

export function normalizeDcs(raw: JsonObject): DcsConfig {
  const kind = DCS_SECTIONS.find((s) => raw[s] !== undefined && raw[s] !== null);
  if (!kind) {
    throw new ConfigError(`Can not find suitable configuration of distributed configuration store\nAvailable implementations: ${DCS_SECTIONS.join(', ')}`);
  }
  const sec = Section.of(raw, kind);
  if (kind === 'zookeeper') return zookeeperConfig(sec.data);
  if (kind === 'exhibitor') return exhibitorConfig(sec.data);
  if (kind !== 'etcd3' && kind !== 'etcd') throw new ConfigError(unsupportedDcs(kind));
  const { hosts, protocol, useProxies, srv } = etcdHosts(sec);
  const proto = sec.optStr('protocol') ?? protocol ?? 'http';
  if (proto !== 'http' && proto !== 'https') throw new ConfigError(`${sec.keyPath('protocol')} must be http or https, got ${proto}`);
  const out: DcsConfig = { kind, hosts, protocol: proto, use_proxies: useProxies, ...(srv ? { srv } : {}) };
  for (const key of ['username', 'password', 'cacert', 'cert', 'key'] as const) {
    const v = sec.optStr(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
