// patronictl's configuration (ctl.load_config): the file or directory (or PATRONI_* variables alone),
// with `--dcs-url` replacing the DCS section. No validation, like upstream.
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { exhibitorConfig, zookeeperConfig } from '../config/dcs-zookeeper.js';
import { ConfigError } from '../config/errors.js';
import { loadRawConfig } from '../config/loader.js';
import type { DcsConfig, Etcd3Config } from '../config/types.js';
import { isObject, parseBool, type Json, type JsonObject } from '../util/json.js';
import { parseDcsUrl } from './dcs-url.js';
import { CtlError } from './errors.js';

export const DCS_SECTIONS = ['etcd', 'etcd3', 'consul', 'zookeeper', 'exhibitor', 'kubernetes', 'raft'] as const;

export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'patroni', 'patronictl.yaml');
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return existsSync(path);
  } catch {
    return false;
  }
}

export function loadCtlConfig(path: string, isDefault: boolean, dcsUrl: string | undefined, env: NodeJS.ProcessEnv): JsonObject {
  if (!readable(path) && !isDefault) {
    throw new CtlError(`Provided config file ${path} not existing or no read rights. Check the -c/--config-file parameter`);
  }
  const config = { ...loadRawConfig(readable(path) ? path : undefined, env) };
  if (dcsUrl) {
    const url = parseDcsUrl(dcsUrl);
    for (const s of DCS_SECTIONS.slice(0, 5)) delete config[s];
    config[url.section] = url.value;
    if (url.namespace) config.namespace = url.namespace;
  }
  return config;
}

function hostList(v: Json | undefined): string[] {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
  if (Array.isArray(v)) return v.filter((h): h is string => typeof h === 'string');
  return [];
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** The DCS section patronictl will use, or null when the config names none. */
export function ctlDcsConfig(config: JsonObject): DcsConfig | null {
  for (const kind of ['etcd3', 'etcd'] as const) {
    const e3 = config[kind];
    if (!isObject(e3)) continue;
    const hosts = [...hostList(e3.host), ...hostList(e3.hosts)];
    const urls = hostList(e3.url ?? e3.proxy);
    for (const u of urls) hosts.push(u.replace(/^\w+:\/\//, '').replace(/\/.*$/, ''));
    const protocol = str(e3.protocol) === 'https' || urls.some((u) => u.startsWith('https:')) ? 'https' : 'http';
    // DNS SRV (Patroni's old names discovery_srv, srv_domain): resolved by the runtime before use; a
    // proxy wins over it as in _get_machines_cache_from_config.
    const srvDomain = e3.proxy === undefined ? (str(e3.srv_domain) ?? str(e3.discovery_srv) ?? str(e3.srv)) : undefined;
    const srvSuffix = str(e3.srv_suffix);
    const out: Etcd3Config = {
      kind,
      hosts: hosts.length || srvDomain ? hosts : ['127.0.0.1:2379'],
      protocol,
      use_proxies: parseBool(e3.use_proxies) === true,
      ...(srvDomain ? { srv: { domain: srvDomain, ...(srvSuffix ? { suffix: srvSuffix } : {}) } } : {}),
    };
    const username = str(e3.username) ?? str(e3.user);
    if (username) out.username = username;
    const password = str(e3.password);
    if (password) out.password = password;
    const cacert = str(e3.cacert);
    if (cacert) out.cacert = cacert;
    const cert = str(e3.cert);
    if (cert) out.cert = cert;
    const key = str(e3.key);
    if (key) out.key = key;
    return out;
  }
  try {
    if (isObject(config.zookeeper)) return zookeeperConfig(config.zookeeper);
    if (isObject(config.exhibitor)) return exhibitorConfig(config.exhibitor);
  } catch (e) {
    if (e instanceof ConfigError) throw new CtlError(e.message);
    throw e;
  }
  for (const kind of ['consul', 'kubernetes', 'raft'] as const) {
    const section = config[kind];
    if (isObject(section)) return { kind, section };
  }
  return null;
}
