// `zookeeper:` and `exhibitor:` sections -> typed config (Patroni's ZooKeeper and Exhibitor, which
// hands the same TLS and ACL keys to kazoo). Pure.
import type { Json, JsonObject } from '../util/json.js';
import { isObject } from '../util/json.js';
import { ConfigError } from './errors.js';
import { parseHostPort, Section } from './read.js';
import type { ExhibitorConfig, ZkAclEntry, ZkTlsConfig, ZookeeperConfig } from './types.js';

const ZK_DEFAULT_PORT = 2181;

function hostList(v: Json | undefined, key: string): string[] {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((h) => typeof h === 'string')) return v.map((h) => h.trim()).filter(Boolean);
  throw new ConfigError(`${key} must be a list of host:port or a comma separated string`);
}

/** kazoo's `auth_data`: a list of [scheme, credential] pairs, or a mapping scheme -> credential. */
function authData(v: Json | undefined, key: string): [string, string][] {
  if (v === undefined || v === null) return [];
  if (isObject(v)) return Object.entries(v).map(([scheme, cred]) => [scheme, String(cred)]);
  if (Array.isArray(v)) {
    return v.map((pair, i) => {
      if (Array.isArray(pair) && pair.length === 2) return [String(pair[0]), String(pair[1])];
      throw new ConfigError(`${key}[${i}] must be a [scheme, credential] pair`);
    });
  }
  throw new ConfigError(`${key} must be a list of [scheme, credential] pairs`);
}

/** kazoo's Permissions (make_acl's read/write/create/delete/admin/all flags). */
export const ZK_PERMS: Readonly<Record<string, number>> = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 };

/**
 * `set_acls: {principal: [permission, ...]}` -> ACL entries, as ZooKeeper.__init__ builds kazoo's
 * default_acl: a principal `scheme:credential` names its scheme (`digest:user:HASH`, `ip:10.0.0.0/8`),
 * any other is an x509 subject (`CN=patroni`). Patroni drops unknown permission names silently; here
 * they are an error, as is an empty list (a znode nobody may touch).
 */
export function aclFromSetAcls(v: Json | undefined, key: string): ZkAclEntry[] {
  if (!isObject(v)) throw new ConfigError(`${key} must be a mapping of principal -> list of permissions`);
  return Object.entries(v).map(([principal, raw]) => {
    const names = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(names) || names.length === 0 || !names.every((p) => typeof p === 'string')) {
      throw new ConfigError(`${key}.${principal} must be a non-empty list of ${Object.keys(ZK_PERMS).join(', ')}`);
    }
    let perms = 0;
    for (const name of names) {
      const bit = ZK_PERMS[name.toUpperCase()];
      if (bit === undefined)
        throw new ConfigError(`${key}.${principal}: unknown permission ${JSON.stringify(name)} (expected ${Object.keys(ZK_PERMS).join(', ')})`);
      perms |= bit;
    }
    const colon = principal.indexOf(':');
    const [scheme, id] = colon >= 0 ? [principal.slice(0, colon), principal.slice(colon + 1)] : ['x509', principal];
    if (!scheme) throw new ConfigError(`${key}.${principal}: empty ACL scheme`);
    return { scheme, id, perms };
  });
}

/** `use_ssl` and the certificate keys, as kazoo gets them; undefined without use_ssl (kazoo ignores them then). */
function tlsConfig(sec: Section): ZkTlsConfig | undefined {
  if (!sec.bool('use_ssl', false)) return undefined;
  const out: ZkTlsConfig = { verify: sec.bool('verify', true) };
  for (const k of ['cacert', 'cert', 'key', 'key_password'] as const) {
    const v = sec.optStr(k);
    if (v !== undefined && v !== '') out[k] = v;
  }
  if ((out.cert === undefined) !== (out.key === undefined)) {
    const [has, missing] = out.cert === undefined ? ['key', 'cert'] : ['cert', 'key'];
    throw new ConfigError(`${sec.keyPath(has)}: needs ${sec.keyPath(missing)} too (a client certificate is sent only with both)`);
  }
  return out;
}

/** The keys zookeeper and exhibitor share: auth_data, TLS, set_acls. */
function security(sec: Section): Pick<ZookeeperConfig, 'auth_data' | 'tls' | 'acl'> {
  const out: Pick<ZookeeperConfig, 'auth_data' | 'tls' | 'acl'> = { auth_data: authData(sec.raw('auth_data'), sec.keyPath('auth_data')) };
  const tls = tlsConfig(sec);
  if (tls) out.tls = tls;
  if (sec.has('set_acls')) out.acl = aclFromSetAcls(sec.raw('set_acls'), sec.keyPath('set_acls'));
  return out;
}

export function zookeeperConfig(raw: JsonObject, path = 'zookeeper'): ZookeeperConfig {
  const sec = new Section(raw, path);
  if (!sec.has('hosts')) throw new ConfigError(`${sec.keyPath('hosts')} must be set`);
  const hosts = hostList(sec.raw('hosts'), sec.keyPath('hosts')).map((h) => {
    const { host, port } = parseHostPort(h, sec.keyPath('hosts'), ZK_DEFAULT_PORT);
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  });
  if (hosts.length === 0) throw new ConfigError(`${sec.keyPath('hosts')} must not be empty`);
  return { kind: 'zookeeper', hosts, ...security(sec) };
}

export function exhibitorConfig(raw: JsonObject, path = 'exhibitor'): ExhibitorConfig {
  const sec = new Section(raw, path);
  if (!sec.has('hosts')) throw new ConfigError(`${sec.keyPath('hosts')} must be set`);
  if (!sec.has('port')) throw new ConfigError(`${sec.keyPath('port')} must be set`);
  const hosts = hostList(sec.raw('hosts'), sec.keyPath('hosts'));
  if (hosts.length === 0) throw new ConfigError(`${sec.keyPath('hosts')} must not be empty`);
  const port = sec.int('port', 8181);
  const pollInterval = sec.int('poll_interval', 300);
  if (pollInterval < 1) throw new ConfigError(`${sec.keyPath('poll_interval')} must be at least 1`);
  return { kind: 'exhibitor', hosts, port, poll_interval: pollInterval, ...security(sec) };
}
