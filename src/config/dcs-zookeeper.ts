// `zookeeper:` and `exhibitor:` sections -> typed config (Patroni's ZooKeeper and Exhibitor). Settings
// our ZooKeeper client cannot honour are refused by name rather than ignored (README "Not supported
// yet").
import type { Json, JsonObject } from '../util/json.js';
import { isObject } from '../util/json.js';
import { ConfigError } from './errors.js';
import { parseHostPort, Section } from './read.js';
import type { ExhibitorConfig, ZookeeperConfig } from './types.js';

const ZK_DEFAULT_PORT = 2181;

function hostList(v: Json | undefined, key: string): string[] {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
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

/** TLS settings: our client speaks plain ZooKeeper only, so asking for TLS is refused by name. */
function refuseTls(sec: Section): void {
  if (sec.bool('use_ssl', false)) throw new ConfigError(`${sec.keyPath('use_ssl')}: TLS to ZooKeeper is not supported yet`);
  if (sec.has('set_acls')) throw new ConfigError(`${sec.keyPath('set_acls')}: x509 ACLs need TLS to ZooKeeper, which is not supported yet`);
}

export function zookeeperConfig(raw: JsonObject, path = 'zookeeper'): ZookeeperConfig {
  const sec = new Section(raw, path);
  refuseTls(sec);
  if (!sec.has('hosts')) throw new ConfigError(`${sec.keyPath('hosts')} must be set`);
  const hosts = hostList(sec.raw('hosts'), sec.keyPath('hosts')).map((h) => {
    const { host, port } = parseHostPort(h, sec.keyPath('hosts'), ZK_DEFAULT_PORT);
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  });
  if (hosts.length === 0) throw new ConfigError(`${sec.keyPath('hosts')} must not be empty`);
  return { kind: 'zookeeper', hosts, auth_data: authData(sec.raw('auth_data'), sec.keyPath('auth_data')) };
}

export function exhibitorConfig(raw: JsonObject, path = 'exhibitor'): ExhibitorConfig {
  const sec = new Section(raw, path);
  refuseTls(sec);
  if (!sec.has('hosts')) throw new ConfigError(`${sec.keyPath('hosts')} must be set`);
  if (!sec.has('port')) throw new ConfigError(`${sec.keyPath('port')} must be set`);
  const hosts = hostList(sec.raw('hosts'), sec.keyPath('hosts'));
  if (hosts.length === 0) throw new ConfigError(`${sec.keyPath('hosts')} must not be empty`);
  const port = sec.int('port', 8181);
  const pollInterval = sec.int('poll_interval', 300);
  if (pollInterval < 1) throw new ConfigError(`${sec.keyPath('poll_interval')} must be at least 1`);
  return { kind: 'exhibitor', hosts, port, poll_interval: pollInterval, auth_data: authData(sec.raw('auth_data'), sec.keyPath('auth_data')) };
}
