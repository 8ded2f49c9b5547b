// PATRONI_* environment variables -> configuration overlay, mirroring Patroni's
// Config._build_environment_configuration: empty values are ignored, unparsable ones dropped.
import { parse } from 'yaml';
import { isObject, parseBool, type Json, type JsonObject } from '../util/json.js';
import { USER_AUTH_KEYS } from './pg-params.js';
import { parseIntWithUnit } from './units.js';
import { YAML11 } from './yaml.js';

const PREFIX = 'PATRONI_';

const SECTION_KEYS: Record<string, string[]> = {
  log: [
    'type',
    'level',
    'traceback_level',
    'format',
    'dateformat',
    'static_fields',
    'max_queue_size',
    'dir',
    'mode',
    'file_size',
    'file_num',
    'loggers',
    'deduplicate_heartbeat_logs',
  ],
  restapi: [
    'listen',
    'connect_address',
    'certfile',
    'keyfile',
    'keyfile_password',
    'cafile',
    'ciphers',
    'verify_client',
    'http_extra_headers',
    'https_extra_headers',
    'allowlist',
    'allowlist_include_members',
    'request_queue_size',
    'server_tokens',
  ],
  ctl: ['insecure', 'cacert', 'certfile', 'keyfile', 'keyfile_password'],
  postgresql: ['listen', 'connect_address', 'proxy_address', 'config_dir', 'data_dir', 'pgpass', 'bin_dir'],
  raft: [
    'data_dir',
    'self_addr',
    'partner_addrs',
    'password',
    'bind_addr',
    'min_timeout',
    'max_timeout',
    'connection_timeout',
    'append_entries_period',
    'connection_retry_time',
    'leader_fallback_timeout',
  ],
};

const BIN_NAMES = ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready', 'pg_rewind'];

const GENERIC_SUFFIXES = new Set([
  'HOST',
  'HOSTS',
  'PORT',
  'USE_PROXIES',
  'PROTOCOL',
  'SRV',
  'SRV_SUFFIX',
  'URL',
  'PROXY',
  'CACERT',
  'CERT',
  'KEY',
  'VERIFY',
  'TOKEN',
  'CHECKS',
  'DC',
  'CONSISTENCY',
  'REGISTER_SERVICE',
  'SERVICE_CHECK_INTERVAL',
  'SERVICE_CHECK_TLS_SERVER_NAME',
  'SERVICE_TAGS',
  'NAMESPACE',
  'CONTEXT',
  'USE_ENDPOINTS',
  'SCOPE_LABEL',
  'ROLE_LABEL',
  'POD_IP',
  'PORTS',
  'LABELS',
  'BYPASS_API_SERVICE',
  'RETRIABLE_HTTP_CODES',
  'KEY_PASSWORD',
  'USE_SSL',
  'SET_ACLS',
  'GROUP',
  'DATABASE',
  'LEADER_LABEL_VALUE',
  'FOLLOWER_LABEL_VALUE',
  'STANDBY_LEADER_LABEL_VALUE',
  'TMP_ROLE_LABEL',
  'AUTH_DATA',
  'BOOTSTRAP_LABELS',
]);

type Parser = (value: string) => Json | undefined;

const asInt: Parser = (v) => parseIntWithUnit(v);
const asBool: Parser = (v) => parseBool(v);
const asFloat: Parser = (v) => (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v) ? Number.parseFloat(v) : undefined);

function yamlValue(text: string): Json | undefined {
  try {
    return parse(text, YAML11) as Json;
  } catch {
    return undefined;
  }
}

/** `a,b` or `[a, b]` or a YAML block list -> list; anything else is dropped. */
export const parseEnvList: Parser = (v) => {
  const text = v.trim().startsWith('-') || v.includes('[') ? v : `[${v}]`;
  const parsed = yamlValue(text);
  return Array.isArray(parsed) && parsed.length > 0 ? parsed : undefined;
};

/** `k: v, k2: v2` or `{...}` -> mapping; anything else is dropped. */
export const parseEnvDict: Parser = (v) => {
  const parsed = yamlValue(v.trim().startsWith('{') ? v : `{${v}}`);
  return isObject(parsed) && Object.keys(parsed).length > 0 ? parsed : undefined;
};

/** log.format: a %-style template stays a string; otherwise it is a list of json fields. */
const asLogFormat: Parser = (v) => (v.includes('%(') ? v : parseEnvList(v));

const VALUE_PARSERS: Record<string, Parser> = {
  'restapi.allowlist_include_members': asBool,
  'ctl.insecure': asBool,
  'log.deduplicate_heartbeat_logs': asBool,
  'restapi.request_queue_size': asInt,
  'log.max_queue_size': asInt,
  'log.file_size': asInt,
  'log.file_num': asInt,
  'log.mode': asInt,
  'restapi.allowlist': parseEnvList,
  'raft.partner_addrs': parseEnvList,
  'restapi.http_extra_headers': parseEnvDict,
  'restapi.https_extra_headers': parseEnvDict,
  'log.static_fields': parseEnvDict,
  'log.loggers': parseEnvDict,
  'log.format': asLogFormat,
  'raft.min_timeout': asFloat,
  'raft.max_timeout': asFloat,
  'raft.connection_timeout': asFloat,
  'raft.append_entries_period': asFloat,
  'raft.connection_retry_time': asFloat,
  'raft.leader_fallback_timeout': asFloat,
};

const GENERIC_PARSERS: Record<string, Parser> = {
  PORT: asInt,
  HOSTS: parseEnvList,
  PORTS: parseEnvList,
  CHECKS: parseEnvList,
  SERVICE_TAGS: parseEnvList,
  RETRIABLE_HTTP_CODES: parseEnvList,
  LABELS: parseEnvDict,
  SET_ACLS: parseEnvDict,
  AUTH_DATA: parseEnvDict,
  BOOTSTRAP_LABELS: parseEnvDict,
  USE_PROXIES: asBool,
  REGISTER_SERVICE: asBool,
  USE_ENDPOINTS: asBool,
  BYPASS_API_SERVICE: asBool,
  VERIFY: asBool,
};

export interface EnvConfig {
  config: JsonObject;
  /** Variable names Patroni consumes (the daemon removes them from its own environment). */
  consumed: string[];
  /** Variables that look like settings but that Patroni never reads (tags have no variables). */
  unread: string[];
}

/** Tag names users set as PATRONI_<TAG> expecting an effect; Patroni reads tags only from YAML. */
const TAG_LOOKALIKES = ['NOFAILOVER', 'FAILOVER_PRIORITY', 'CLONEFROM', 'NOLOADBALANCE', 'REPLICATEFROM', 'NOSYNC', 'SYNC_PRIORITY', 'NOSTREAM'];

/** Build the configuration overlay from PATRONI_* variables. Pure: `env` is not modified. */
export function buildEnvConfig(env: NodeJS.ProcessEnv): EnvConfig {
  const remaining = new Map<string, string>();
  for (const [k, v] of Object.entries(env)) if (k.startsWith(PREFIX) && v !== undefined) remaining.set(k, v);
  const consumed: string[] = [];
  const take = (name: string): string | undefined => {
    const full = PREFIX + name.toUpperCase();
    const value = remaining.get(full);
    if (value === undefined) return undefined;
    remaining.delete(full);
    consumed.push(full);
    return value === '' ? undefined : value;
  };
  const out: JsonObject = {};
  const section = (name: string): JsonObject => {
    const existing = out[name];
    if (isObject(existing)) return existing;
    const created: JsonObject = {};
    out[name] = created;
    return created;
  };

  for (const key of ['name', 'namespace', 'scope', 'thread_stack_size']) {
    const v = take(key);
    if (v !== undefined) out[key] = v;
  }
  const pool = take('thread_pool_size');
  if (pool !== undefined && parseIntWithUnit(pool) !== undefined) out.thread_pool_size = parseIntWithUnit(pool) as number;

  // Legacy log variable names apply only when the new name is not set.
  for (const [name, legacy] of [
    ['level', 'loglevel'],
    ['format', 'logformat'],
    ['dateformat', 'log_datefmt'],
  ] as const) {
    const old = take(legacy);
    const modern = `${PREFIX}LOG_${name.toUpperCase()}`;
    if (old !== undefined && !remaining.has(modern)) remaining.set(modern, old);
  }

  for (const [sec, keys] of Object.entries(SECTION_KEYS)) {
    for (const key of keys) {
      const raw = take(`${sec}_${key}`);
      if (raw === undefined) continue;
      const parser = VALUE_PARSERS[`${sec}.${key}`];
      const value = parser ? parser(raw) : raw;
      if (value !== undefined) section(sec)[key] = value;
    }
  }

  const binName: JsonObject = {};
  for (const bin of BIN_NAMES) {
    const v = take(`postgresql_bin_${bin}`);
    if (v !== undefined) binName[bin] = v;
  }
  if (Object.keys(binName).length) section('postgresql').bin_name = binName;

  const auth = (prefix: string, keys: string[]): JsonObject | undefined => {
    const entry: JsonObject = {};
    for (const key of keys) {
      const v = take(`${prefix}_${key}`);
      if (v !== undefined) entry[key] = v;
    }
    return Object.keys(entry).length ? entry : undefined;
  };
  for (const sec of ['restapi', 'ctl']) {
    const a = auth(sec, ['username', 'password']);
    if (a) section(sec).authentication = a;
  }
  const pgAuth: JsonObject = {};
  for (const user of ['replication', 'superuser', 'rewind']) {
    const a = auth(user, USER_AUTH_KEYS);
    if (a) pgAuth[user] = a;
  }
  if (Object.keys(pgAuth).length) section('postgresql').authentication = pgAuth;

  // PATRONI_<SECTION>_<SUFFIX> for DCS (and citus) sections; the section is the text up to the first '_'.
  for (const [full, raw] of [...remaining]) {
    const rest = full.slice(PREFIX.length);
    const cut = rest.indexOf('_');
    if (cut <= 0) continue;
    const name = rest.slice(0, cut);
    const suffix = rest.slice(cut + 1);
    if (!GENERIC_SUFFIXES.has(suffix)) continue;
    remaining.delete(full);
    consumed.push(full);
    if (raw === '') continue;
    let value: Json | undefined;
    if (name === 'CITUS') {
      if (suffix === 'GROUP') value = asInt(raw);
      else if (suffix === 'DATABASE') value = raw;
      else continue;
    } else {
      const parser = GENERIC_PARSERS[suffix];
      value = parser ? parser(raw) : raw;
    }
    if (value !== undefined) section(name.toLowerCase())[suffix.toLowerCase()] = value;
  }
  // etcd credentials only complete a section that some other variable already started.
  for (const dcs of ['etcd', 'etcd3']) {
    if (isObject(out[dcs])) Object.assign(section(dcs), auth(dcs, ['username', 'password']) ?? {});
  }
  const unread = TAG_LOOKALIKES.map((t) => PREFIX + t).filter((n) => remaining.has(n));
  return { config: out, consumed, unread };
}
