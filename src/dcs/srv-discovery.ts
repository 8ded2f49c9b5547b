// etcd endpoints from DNS SRV records, as Patroni's AbstractEtcdClientWithFailover
// `_get_machines_cache_from_srv` finds them: the first of `_etcd-client-ssl`, `_etcd-client`,
// `_etcd-ssl`, `_etcd`, `_etcd-server-ssl`, `_etcd-server` (each `-<srv_suffix>` when set) under
// `_tcp.<srv>` that yields anything wins and sets the protocol (https for the `-ssl` names). Client
// records are endpoints; server (peer) records are asked `GET /members` and give the members'
// clientURLs. Records are used in answer order: Patroni does not sort by priority or weight.
// When nothing resolves, Patroni falls back to hosts, then host/url; with no endpoint at all it
// logs "waiting on etcd" and tries again every 5 seconds (Etcd.get_etcd_client). When every endpoint
// later fails, the clients ask the same source again (`srvReseed`, Patroni's _load_machines_cache).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { Etcd3Config } from '../config/types.js';
import { log } from '../log/logger.js';

export interface EtcdSrv {
  /** `srv` (or its old names `discovery_srv`, `srv_domain`). */
  domain: string;
  suffix?: string;
}

export interface SrvQuery {
  /** `_etcd-client-ssl._tcp.example.com` */
  name: string;
  protocol: 'http' | 'https';
  /** A peer record: ask `GET /members` on it instead of using it as an endpoint. */
  peer: boolean;
}

export interface SrvTarget {
  name: string;
  port: number;
}

const VARIANTS = ['-client-ssl', '-client', '-ssl', '', '-server-ssl', '-server'] as const;

/** The SRV names Patroni queries, in its order. */
export function srvQueries(srv: EtcdSrv): SrvQuery[] {
  return VARIANTS.map((v) => {
    const variant = srv.suffix ? `${v}-${srv.suffix}` : v;
    return {
      name: `_etcd${variant}._tcp.${srv.domain}`,
      protocol: variant.includes('-ssl') ? 'https' : 'http',
      peer: variant.includes('-server'),
    };
  });
}

/** Patroni's `uri(protocol, (host, port), endpoint)`. */
export function srvUrl(q: SrvQuery, t: SrvTarget): string {
  const host = t.name.replace(/\.$/, '');
  return `${q.protocol}://${host.includes(':') ? `[${host}]` : host}:${t.port}${q.peer ? '/members' : ''}`;
}

/** clientURLs of a peer `GET /members` reply; undefined when it is not that JSON. */
export function clientUrlsOfPeerMembers(body: string): string[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(data)) return undefined;
  const urls: string[] = [];
  for (const m of data) {
    const list: unknown = typeof m === 'object' && m !== null ? (m as { clientURLs?: unknown }).clientURLs : undefined;
    if (!Array.isArray(list)) return undefined;
    for (const u of list) if (typeof u === 'string') urls.push(u.replace(/\/+$/, ''));
  }
  return urls;
}

export interface SrvIo {
  /** The targets of one SRV name; [] when it does not resolve (Patroni's `get_srv_record`). */
  resolveSrv(name: string): Promise<SrvTarget[]>;
  /** GET without certificate verification (Patroni: `requests_get(url, verify=False)`). */
  get(url: string, timeoutMs: number): Promise<{ status: number; body: string }>;
}

export interface SrvResult {
  protocol: 'http' | 'https';
  endpoints: string[];
}

/** Patroni's `_get_machines_cache_from_srv`: undefined when no name yields an endpoint. */
export async function discoverFromSrv(srv: EtcdSrv, io: SrvIo, timeoutMs: number): Promise<SrvResult | undefined> {
  for (const q of srvQueries(srv)) {
    const found: string[] = [];
    for (const target of await io.resolveSrv(q.name)) {
      const url = srvUrl(q, target);
      if (!q.peer) {
        found.push(url);
        continue;
      }
      try {
        const r = await io.get(url, timeoutMs);
        const urls = r.status < 400 ? clientUrlsOfPeerMembers(r.body) : undefined;
        if (urls) {
          found.push(...urls);
          break;
        }
      } catch (e) {
        log.error('GET %s: %s', url, e instanceof Error ? e.message : String(e));
      }
    }
    if (found.length > 0) return { protocol: q.protocol, endpoints: [...new Set(found)] };
  }
  log.warning('Can not resolve SRV for %s', srv.domain);
  return undefined;
}

let resolver: dns.promises.Resolver | undefined;

/**
 * About dnspython's 5 s lifetime per name: 1.7 s, then 3.4 s (c-ares doubles the timeout per try). Made on
 * first use, so it takes the servers configureDnsServers set (or /etc/resolv.conf's).
 */
function srvResolver(): dns.promises.Resolver {
  if (!resolver) {
    resolver = new dns.promises.Resolver({ timeout: 1700, tries: 2 });
    resolver.setServers(dns.getServers());
  }
  return resolver;
}

const systemIo: SrvIo = {
  async resolveSrv(name) {
    try {
      return (await srvResolver().resolveSrv(name)).map((r) => ({ name: r.name, port: r.port }));
    } catch {
      return [];
    }
  },
  get(url, timeoutMs) {
    return new Promise((resolve, reject) => {
      const mod = url.startsWith('https:') ? https : http;
      const req = mod.get(url, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
    });
  },
};

/**
 * The etcd section with its endpoints known: SRV first, else the configured hosts (Patroni's
 * `_get_machines_cache_from_config`). Sections without `srv` come back unchanged; undefined when
 * SRV finds nothing and no host is configured.
 */
export async function resolveEtcdSrv(cfg: Etcd3Config, retryTimeoutSec: number, io: SrvIo = systemIo): Promise<Etcd3Config | undefined> {
  if (!cfg.srv) return cfg;
  const { srv, ...rest } = cfg;
  const found = await discoverFromSrv(srv, io, retryTimeoutSec * 1000);
  if (found) return { ...rest, hosts: found.endpoints, protocol: found.protocol };
  return rest.hosts.length > 0 ? rest : undefined;
}

/** Endpoints for another try: `found` as base URLs of `protocol`, none when the protocol changed. */
export type Reseed = () => Promise<string[] | undefined>;

/**
 * After every known endpoint failed, Patroni's `_load_machines_cache` reads its configured source again
 * (DNS SRV, then hosts). A protocol other than the one the client runs is not taken (its TLS agent is
 * built for one); a fresh start picks it up.
 */
export function srvReseed(original: Etcd3Config, protocol: 'http' | 'https', retryTimeoutSec = 10, io: SrvIo = systemIo): Reseed {
  return async () => {
    const found = await resolveEtcdSrv(original, retryTimeoutSec, io);
    if (!found || found.protocol !== protocol) return undefined;
    return found.hosts.map((h) => (/^[a-z]+:\/\//i.test(h) ? h.replace(/\/+$/, '') : `${protocol}://${h}`));
  };
}

/** The endpoint list after a reseed: behind proxies exactly what the source says, else added in front of what we knew. */
export function reseeded(current: readonly string[], found: readonly string[], useProxies: boolean): string[] {
  return [...new Set(useProxies ? found : [...found, ...current])];
}

/** As Patroni's Etcd.get_etcd_client: no endpoint yet means "waiting on etcd" and another try in 5 s. */
export async function waitForEtcdEndpoints(cfg: Etcd3Config, retryTimeoutSec = 10, io: SrvIo = systemIo): Promise<Etcd3Config> {
  for (;;) {
    const resolved = await resolveEtcdSrv(cfg, retryTimeoutSec, io);
    if (resolved) return resolved;
    log.info('waiting on etcd');
    await new Promise((r) => setTimeout(r, 5000));
  }
}

/** The environment variable naming DNS servers for SRV lookups instead of /etc/resolv.conf. */
export const DNS_SERVERS_ENV = 'PATRONI_TS_DNS_SERVERS';

/**
 * Read once at start. Unset (production): Node's resolver reads /etc/resolv.conf as dnspython does.
 * Set (`127.0.0.1:5353`, comma-separated): SRV lookups ask those servers. Host names are still
 * resolved by the system (getaddrinfo) when connecting, as in Patroni.
 */
export function configureDnsServers(env: Readonly<NodeJS.ProcessEnv>): string | undefined {
  const v = env[DNS_SERVERS_ENV]?.trim();
  if (!v) return undefined;
  const servers = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    dns.setServers(servers);
  } catch (e) {
    return `${DNS_SERVERS_ENV}=${v}: ${e instanceof Error ? e.message : String(e)}`;
  }
  return undefined;
}
