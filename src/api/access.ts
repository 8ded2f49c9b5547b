// Access control for unsafe endpoints (RestApiServer.check_access), in Patroni's order: allowlist
// (configured networks plus, optionally, the members' API hosts), client certificate, basic auth.
import { timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { RestApiConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import { log } from '../log/logger.js';
import type { ApiRequest, ApiResponse } from './response.js';

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Patroni"' };

/** Host name -> addresses; injectable so tests need no DNS. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** `::ffff:10.0.0.1` (IPv4 client on a dual-stack socket) -> `10.0.0.1`. */
export function plainAddress(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  return m?.[1] ?? addr;
}

function addAddress(list: BlockList, addr: string): void {
  const a = plainAddress(addr);
  const family = isIP(a);
  if (family) list.addAddress(a, family === 6 ? 'ipv6' : 'ipv4');
}

/** Adds an allowlist entry: IP, CIDR or host name (resolved now, as Patroni does at config load). */
async function addEntry(list: BlockList, entry: string, resolve: Resolver): Promise<void> {
  const [net, bits] = entry.split('/');
  const family = net ? isIP(net) : 0;
  if (family && bits !== undefined && /^\d+$/.test(bits)) {
    list.addSubnet(net as string, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  } else if (family) {
    addAddress(list, entry);
  } else {
    try {
      for (const a of await resolve(entry)) addAddress(list, a);
    } catch (e) {
      log.error('Failed to resolve %s: %s', entry, e instanceof Error ? e.message : String(e));
    }
  }
}

/** Host part of a member's api_url (brackets of IPv6 literals removed). */
function apiHost(apiUrl: string | undefined): string | null {
  if (!apiUrl) return null;
  try {
    return new URL(apiUrl).hostname.replace(/^\[(.*)\]$/, '$1') || null;
  } catch {
    return null;
  }
}

function blocked(list: BlockList, addr: string): boolean {
  const a = plainAddress(addr);
  const family = isIP(a);
  return !family || !list.check(a, family === 6 ? 'ipv6' : 'ipv4');
}

export type AccessLevel = 'public' | 'protected' | 'protected-no-member-allowlist';

export class AccessControl {
  private constructor(
    private readonly cfg: RestApiConfig,
    private readonly allow: BlockList,
    private readonly resolve: Resolver,
  ) {}

  static async create(cfg: RestApiConfig, resolve: Resolver = systemResolver): Promise<AccessControl> {
    const list = new BlockList();
    for (const entry of cfg.allowlist) await addEntry(list, entry, resolve);
    return new AccessControl(cfg, list, resolve);
  }

  private async allowed(addr: string, cluster: Cluster | null, withMembers: boolean): Promise<boolean> {
    if (!blocked(this.allow, addr)) return true;
    if (!withMembers) return false;
    const members = new BlockList();
    for (const m of cluster?.members ?? []) {
      const host = apiHost(m.data.api_url);
      if (host) await addEntry(members, host, this.resolve);
    }
    return !blocked(members, addr);
  }

  /** null when the request may proceed, else the refusal to send. */
  async check(req: ApiRequest, level: AccessLevel, cluster: Cluster | null): Promise<ApiResponse | null> {
    if (level === 'public') return null;
    const { cfg } = this;
    const withMembers = level === 'protected' && cfg.allowlist_include_members;
    if ((cfg.allowlist.length > 0 || withMembers) && !(await this.allowed(req.remoteAddress, cluster, withMembers))) {
      return { kind: 'text', code: 403, text: 'Access is denied' };
    }
    if (cfg.certfile && cfg.verify_client !== 'none' && !req.clientCertValid) {
      return { kind: 'text', code: 403, text: 'client certificate required' };
    }
    return checkBasicAuth(req, cfg);
  }
}

export function checkBasicAuth(req: ApiRequest, cfg: RestApiConfig): ApiResponse | null {
  const auth = cfg.authentication;
  if (!auth) return null;
  const header = req.headers.authorization;
  if (!header) return { kind: 'text', code: 401, text: 'no auth header received', headers: CHALLENGE };
  const expected = Buffer.from(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  const m = /^Basic (.*)$/.exec(header);
  const given = Buffer.from(m?.[1] ?? '');
  const good = m !== null && given.length === expected.length && timingSafeEqual(given, expected);
  return good ? null : { kind: 'text', code: 401, text: 'not authenticated', headers: CHALLENGE };
}
