// Raw (validated) local configuration -> PatroniConfig with Patroni's defaults.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { log } from '../log/logger.js';
import { isObject, type Json, type JsonObject } from '../util/json.js';
import { ConfigError } from './errors.js';
import { normalizeDcs } from './normalize-dcs.js';
import { LOCAL_ONLY_PARAMETERS, PROTECTED_PARAMETERS, USER_AUTH_KEYS } from './pg-params.js';
import { parseHostPort, Section } from './read.js';
import { contradictoryTags } from './tags.js';
import type { BasicAuth, BootstrapConfig, CtlConfig, LogConfig, LogLevel, PatroniConfig, PgUserAuth, PostgresqlConfig, RestApiConfig } from './types.js';

const CALLBACKS = ['on_start', 'on_stop', 'on_restart', 'on_reload', 'on_role_change'];
const LEVEL_ALIASES: Record<string, LogLevel> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARNING',
  WARNING: 'WARNING',
  ERROR: 'ERROR',
  FATAL: 'CRITICAL',
  CRITICAL: 'CRITICAL',
};
const DEFAULT_LOG_FORMAT = '%(asctime)s %(levelname)s: %(message)s';
const WILDCARDS = ['*', '0.0.0.0', '::', ''];

function logLevel(text: string, key: string): LogLevel {
  const level = LEVEL_ALIASES[text.toUpperCase()];
  if (!level) throw new ConfigError(`${key} ${text}: unknown log level`);
  return level;
}

function normalizeLog(sec: Section): LogConfig {
  const level = logLevel(sec.str('level', 'INFO'), sec.keyPath('level'));
  const type = sec.str('type', 'plain');
  if (type !== 'plain' && type !== 'json') throw new ConfigError(`${sec.keyPath('type')} must be plain or json`);
  const format = sec.raw('format');
  let fmt: LogConfig['format'] = DEFAULT_LOG_FORMAT;
  if (typeof format === 'string') fmt = format;
  else if (Array.isArray(format) && type === 'json') fmt = format;
  else if (format !== undefined && format !== null)
    log.warning('Expected log format to be a string when log type is plain, but got "%s"', Array.isArray(format) ? 'list' : typeof format);
  const loggers: Record<string, LogLevel> = {};
  for (const [name, value] of Object.entries(sec.sub('loggers').data)) {
    loggers[name] = logLevel(String(value), `${sec.keyPath('loggers')}.${name}`);
  }
  const out: LogConfig = {
    type,
    level,
    format: fmt,
    file_num: sec.int('file_num', 4),
    file_size: sec.int('file_size', 25_000_000),
    traceback_level: sec.str('traceback_level', 'ERROR').toUpperCase() === 'DEBUG' ? 'DEBUG' : 'ERROR',
    loggers,
    deduplicate_heartbeat_logs: sec.bool('deduplicate_heartbeat_logs', false),
    max_queue_size: sec.int('max_queue_size', 1000),
  };
  const dateformat = sec.optStr('dateformat');
  if (dateformat) out.dateformat = dateformat;
  const dir = sec.optStr('dir');
  if (dir !== undefined) out.dir = dir;
  if (sec.has('mode')) out.mode = sec.int('mode', 0o600);
  if (sec.has('static_fields')) out.static_fields = sec.sub('static_fields').data;
  return out;
}

function basicAuth(sec: Section): BasicAuth | undefined {
  const auth = sec.sub('authentication');
  const username = auth.optStr('username');
  return username === undefined ? undefined : { username, password: auth.str('password', '') };
}

// RFC 9110 field-name token and field-value text (no CR, LF or NUL): what node:http accepts in a
// response. Checked here so a bad header is a config error, not a crash on the first response.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function extraHeaders(sec: Section, key: string): Record<string, string> {
  const headers = sec.strMap(key);
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new ConfigError(`${sec.keyPath(key)}: invalid header name ${JSON.stringify(name)}`);
    if (!HEADER_VALUE.test(value)) {
      throw new ConfigError(`${sec.keyPath(key)}.${name}: invalid header value ${JSON.stringify(value)} (control characters such as CR or LF are not allowed)`);
    }
  }
  return headers;
}

function normalizeRestApi(sec: Section): RestApiConfig {
  const listenText = sec.str('listen');
  const { host, port } = parseHostPort(listenText, sec.keyPath('listen'));
  const verify = sec.str('verify_client', 'none');
  if (verify !== 'none' && verify !== 'optional' && verify !== 'required') {
    throw new ConfigError(`${sec.keyPath('verify_client')} must be none, optional or required`);
  }
  const tokens = sec.str('server_tokens', 'original').toLowerCase();
  const out: RestApiConfig = {
    listen: { host, port },
    connect_address: sec.str('connect_address', listenText),
    verify_client: verify,
    allowlist: sec.strList('allowlist'),
    allowlist_include_members: sec.bool('allowlist_include_members', false),
    http_extra_headers: extraHeaders(sec, 'http_extra_headers'),
    https_extra_headers: extraHeaders(sec, 'https_extra_headers'),
    server_tokens: tokens === 'minimal' || tokens === 'productonly' ? tokens : 'original',
  };
  const auth = basicAuth(sec);
  if (auth) out.authentication = auth;
  for (const key of ['certfile', 'keyfile', 'keyfile_password', 'cafile', 'ciphers'] as const) {
    const v = sec.optStr(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function normalizeCtl(sec: Section): CtlConfig {
  const out: CtlConfig = { insecure: sec.bool('insecure', false) };
  const auth = basicAuth(sec);
  if (auth) out.authentication = auth;
  for (const key of ['cacert', 'certfile', 'keyfile', 'keyfile_password'] as const) {
    const v = sec.optStr(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function userAuth(sec: Section): PgUserAuth {
  const out: PgUserAuth = { username: sec.str('username') };
  for (const key of USER_AUTH_KEYS) {
    const v = sec.optStr(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** postgresql.authentication, or the legacy top-level superuser/replication/pg_rewind keys. */
function authSection(pg: Section, user: 'superuser' | 'replication' | 'rewind'): Section | undefined {
  const auth = pg.sub('authentication');
  if (auth.has(user)) return auth.sub(user);
  const legacy = user === 'rewind' ? 'pg_rewind' : user;
  return pg.has(legacy) ? pg.sub(legacy) : undefined;
}

function normalizePostgresql(pg: Section, home: string): PostgresqlConfig {
  const listenText = pg.str('listen');
  const { host, port } = parseHostPort(listenText, pg.keyPath('listen'), 5432);
  const hosts = host.split(',').map((h) => h.trim());
  const first = hosts[0] ?? '';
  const localHost = WILDCARDS.includes(first) ? '127.0.0.1' : first;
  const dataDir = pg.str('data_dir');
  const superuser = authSection(pg, 'superuser');
  const replication = authSection(pg, 'replication');
  if (!superuser) throw new ConfigError('postgresql.authentication.superuser is not defined.');
  if (!replication) throw new ConfigError('postgresql.authentication.replication is not defined.');
  const rewind = authSection(pg, 'rewind');

  const parameters: JsonObject = {};
  // Protected parameters are dynamic-only; local values are silently dropped, as in Patroni's
  // Config._build_effective_configuration.
  for (const [k, v] of Object.entries(pg.sub('parameters').data)) {
    if (!(k in PROTECTED_PARAMETERS) && !LOCAL_ONLY_PARAMETERS.includes(k)) parameters[k] = v;
  }
  const methods = pg.has('create_replica_methods')
    ? pg.strList('create_replica_methods')
    : pg.has('create_replica_method')
      ? pg.strList('create_replica_method')
      : ['basebackup'];
  const callbacks: Record<string, string> = {};
  const cbSection = pg.sub('callbacks');
  for (const cb of CALLBACKS) {
    const v = cbSection.optStr(cb);
    if (v !== undefined) callbacks[cb] = v;
  }
  const pgpass = pg.optStr('pgpass');
  const out: PostgresqlConfig = {
    listen: { hosts, port },
    connect_address: pg.str('connect_address', `${localHost}:${port}`),
    data_dir: dataDir,
    config_dir: pg.str('config_dir', dataDir) || dataDir,
    bin_dir: pg.str('bin_dir', ''),
    bin_name: pg.strMap('bin_name'),
    pgpass: pgpass ? resolve(pgpass) : join(home, 'pgpass'),
    database: pg.str('database', 'postgres'),
    authentication: { superuser: userAuth(superuser), replication: userAuth(replication) },
    parameters,
    use_unix_socket: pg.bool('use_unix_socket', false),
    use_unix_socket_repl: pg.bool('use_unix_socket_repl', false),
    remove_data_directory_on_rewind_failure: pg.bool('remove_data_directory_on_rewind_failure', false),
    remove_data_directory_on_diverged_timelines: pg.bool('remove_data_directory_on_diverged_timelines', false),
    pg_ctl_timeout: pg.int('pg_ctl_timeout', 60),
    create_replica_methods: methods.length ? methods : ['basebackup'],
    callbacks,
    raw: pg.data,
  };
  if (rewind) out.authentication.rewind = userAuth(rewind);
  const proxy = pg.optStr('proxy_address');
  if (proxy !== undefined) out.proxy_address = proxy;
  if (pg.has('pg_hba')) out.pg_hba = pg.strList('pg_hba');
  if (pg.has('pg_ident')) out.pg_ident = pg.strList('pg_ident');
  const rewindFlag = pg.optBool('use_pg_rewind');
  if (rewindFlag !== undefined) out.use_pg_rewind = rewindFlag;
  const basebackup = pg.raw('basebackup');
  if (basebackup !== undefined && basebackup !== null) out.basebackup = basebackup;
  return out;
}

function normalizeBootstrap(sec: Section): BootstrapConfig {
  const initdb = sec.raw('initdb');
  let initdbList: Json[] = [];
  if (Array.isArray(initdb)) initdbList = initdb;
  else if (isObject(initdb)) initdbList = Object.entries(initdb).map(([k, v]) => ({ [k]: v }));
  else if (initdb !== undefined && initdb !== null) throw new ConfigError(`${sec.keyPath('initdb')} must be a list or a mapping`);
  const out: BootstrapConfig = {
    dcs: sec.sub('dcs').data,
    method: sec.str('method', 'initdb'),
    initdb: initdbList,
    pg_hba: sec.strList('pg_hba'),
    raw: sec.data,
  };
  const post = sec.optStr('post_bootstrap') ?? sec.optStr('post_init');
  if (post !== undefined) out.post_bootstrap = post;
  return out;
}

/** Patroni's watchdog parse_mode: unknown values disable the watchdog with a warning. */
export function parseWatchdogMode(mode: Json | undefined): PatroniConfig['watchdog']['mode'] {
  if (mode === undefined || mode === null) return 'automatic';
  if (mode === false) return 'off';
  const m = String(mode).toLowerCase();
  if (m === 'require' || m === 'required') return 'required';
  if (m === 'auto' || m === 'automatic') return 'automatic';
  if (!['off', 'disable', 'disabled', 'false'].includes(m)) log.warning('Watchdog mode %s not recognized, disabling watchdog', m);
  return 'off';
}

/** `env` supplies HOME for the default pgpass location (~/pgpass). */
export function normalizeConfig(raw: JsonObject, env: NodeJS.ProcessEnv = process.env): PatroniConfig {
  const root = new Section(raw, '');
  const tags = root.sub('tags').data;
  for (const w of contradictoryTags(tags)) log.warning('%s', w);
  const watchdog = root.sub('watchdog');
  return {
    scope: root.str('scope'),
    namespace: root.str('namespace', 'service') || 'service',
    name: root.str('name'),
    log: normalizeLog(root.sub('log')),
    restapi: normalizeRestApi(root.sub('restapi')),
    ctl: normalizeCtl(root.sub('ctl')),
    dcs: normalizeDcs(raw),
    bootstrap: normalizeBootstrap(root.sub('bootstrap')),
    postgresql: normalizePostgresql(root.sub('postgresql'), env.HOME || homedir()),
    tags,
    watchdog: {
      mode: parseWatchdogMode(watchdog.raw('mode')),
      device: watchdog.str('device', '/dev/watchdog'),
      safety_margin: watchdog.int('safety_margin', 5),
      driver: watchdog.str('driver', 'default'),
    },
    raw,
  };
}
