// Full configuration validation (`patroni --validate-config`, and the daemon refuses to start on
// any problem). The schema mirrors Patroni 4's validator.py; additions are marked.
// Synchronous: TCP probes are collected in a first pass and answered by one child process.
import { isObject, parseBool, pyStr, type Json, type JsonObject } from '../util/json.js';
import { ZK_PERMS } from './dcs-zookeeper.js';
import { postgresMajorVersion, probeTcp, type TcpState } from './probe.js';
import { CheckFailure, validate, type Entry, type Result, type TypeName, type Validator } from './schema.js';
import { parseIntWithUnit } from './units.js';
import { MIN_SAFE_TTL } from './dynamic.js';
import {
  binaryNameCheck,
  binDirRun,
  commaSeparatedHostPortCheck,
  connectAddressCheck,
  dataDirCheck,
  hostPortCheck,
  hostPortListCheck,
  type RuleContext,
  type ValidateOptions,
} from './validate-rules.js';

export type { ValidateOptions } from './validate-rules.js';

/** One line of the report: `<dotted.path> <value> <error>`. */
export interface ConfigProblem {
  path: string;
  value: string;
  error: string;
}

export const RESERVED_NAME = '__patroni_strict_sync_replica_placeholder__';
export const DCS_SECTIONS = ['consul', 'etcd', 'etcd3', 'exhibitor', 'kubernetes', 'raft', 'zookeeper'] as const;

/** Patroni's Result.__repr__; a problem without a path (our DCS-count check) has no leading blanks. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.path} ${p.value} ${p.error}`.trimStart();
}

const t = (type: TypeName): Validator => ({ kind: 'type', type });
const str = t('string');
const bool = t('bool');
const int = t('int');
const dict = t('dict');
const list = (item?: Validator): Validator => ({ kind: 'list', ...(item ? { item } : {}) });
const or = (...options: Validator[]): Validator => ({ kind: 'or', options });
const obj = (...entries: Entry[]): Validator => ({ kind: 'dict', entries });
const req = (name: string, validator: Validator): Entry => ({ key: 'required', name, validator });
const opt = (name: string, validator: Validator): Entry => ({ key: 'optional', name, validator });
const check = (fn: (v: Json) => void, expected?: TypeName): Validator => ({ kind: 'check', check: fn, ...(expected ? { expected } : {}) });

/** What a right value looks like, appended to Patroni's bare "Wrong value". */
function intRangeText(o: { min?: number; max?: number; baseUnit?: string }): string {
  const unit = o.baseUnit ? ` (unit ${o.baseUnit})` : '';
  if (o.min !== undefined && o.max !== undefined) return `an integer from ${o.min} to ${o.max}${unit}`;
  if (o.min !== undefined) return `an integer >= ${o.min}${unit}`;
  if (o.max !== undefined) return `an integer <= ${o.max}${unit}`;
  return `an integer${unit}`;
}

function intRange(o: { min?: number; max?: number; baseUnit?: string; expected?: TypeName }): Validator {
  return check((v) => {
    const n = parseIntWithUnit(v, o.baseUnit);
    if (n === undefined || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max))
      throw new CheckFailure(`Wrong value, expected ${intRangeText(o)}`);
  }, o.expected);
}

function oneOf(values: string[], caseSensitive: boolean): Validator {
  const allowed = caseSensitive ? values : values.map((v) => v.toLowerCase());
  return check((v) => {
    if (typeof v !== 'string' || !allowed.includes(caseSensitive ? v : v.toLowerCase()))
      throw new CheckFailure(`Wrong value, expected one of ${values.join(', ')}`);
  });
}

const logFormat = check((v) => {
  if (typeof v === 'string') return;
  if (!Array.isArray(v)) throw new CheckFailure('Should be a string or a list');
  if (v.length === 0) throw new CheckFailure('should contain at least one item');
  const fieldOk = (f: Json) =>
    typeof f === 'string' ||
    (typeof f === 'object' && f !== null && !Array.isArray(f) && Object.keys(f).length === 1 && typeof Object.values(f)[0] === 'string');
  if (!v.every(fieldOk)) throw new CheckFailure('each item should be a string or a dictionary with string values');
});

const watchdogMode = check((v) => {
  if (typeof v !== 'string' && typeof v !== 'boolean') throw new CheckFailure('expected type is not a string');
  if (!(v === false || v === 'off' || v === 'automatic' || v === 'required')) throw new CheckFailure('Wrong value');
});

// Addition: Patroni 4.1 accepts bool-ish values and 'quorum' for synchronous_mode.
const synchronousMode = check((v) => {
  if (!(typeof v === 'boolean' || v === 'quorum' || (typeof v === 'string' && parseBool(v) !== undefined))) throw new CheckFailure('Wrong value');
});

// Addition: set_acls permission names are checked (Patroni's ZooKeeper drops unknown names silently).
const zkSetAcls = check((v) => {
  if (!isObject(v)) throw new CheckFailure('is not a dict');
  for (const [principal, perms] of Object.entries(v)) {
    const names = typeof perms === 'string' ? [perms] : perms;
    const known = (p: Json) => typeof p === 'string' && ZK_PERMS[p.toUpperCase()] !== undefined;
    if (!Array.isArray(names) || names.length === 0 || !names.every(known)) {
      throw new CheckFailure(`${principal}: expected a non-empty list of ${Object.keys(ZK_PERMS).join(', ')}`);
    }
  }
}, 'dict');

// Addition: the strict-sync placeholder cannot be a member name.
const memberName = check((v) => {
  if (v === RESERVED_NAME) throw new CheckFailure(`${RESERVED_NAME} is a reserved name`);
}, 'string');

const userAttributes = obj(req('username', str), opt('password', str));

function buildSchema(ctx: RuleContext): Validator {
  const hostPort = check(hostPortCheck(ctx, false), 'string');
  const listen = check(hostPortCheck(ctx, true), 'string');
  const listenMulti = check(hostPortCheck(ctx, true, true), 'string');
  const connect = check(connectAddressCheck, 'string');
  const hostsList = or(check(commaSeparatedHostPortCheck(ctx), 'string'), list(hostPort));
  const port = intRange({ max: 65535, expected: 'int' });
  const etcd = obj(
    { key: 'or', cases: { host: hostPort, hosts: hostsList, srv: str, srv_suffix: str, url: str, proxy: str } },
    opt('protocol', str),
    opt('username', str),
    opt('password', str),
    opt('cacert', str),
    opt('cert', str),
    opt('key', str),
  );
  const binaryName = check(binaryNameCheck(ctx), 'string');
  const dcsCases: Record<string, Validator> = {
    consul: obj(
      { key: 'or', cases: { host: hostPort, url: str } },
      opt('port', port),
      opt('scheme', str),
      opt('token', str),
      opt('verify', bool),
      opt('cacert', str),
      opt('cert', str),
      opt('key', str),
      opt('dc', str),
      opt('checks', list(str)),
      opt('register_service', bool),
      opt('service_tags', list(str)),
      opt('service_check_interval', str),
      opt('service_check_tls_server_name', str),
      opt('consistency', oneOf(['default', 'consistent', 'stale'], true)),
    ),
    etcd,
    etcd3: etcd,
    exhibitor: obj(req('hosts', list(str)), req('port', port), opt('poll_interval', intRange({ min: 1, expected: 'int' }))),
    kubernetes: obj(
      req('labels', obj()),
      opt('bypass_api_service', bool),
      opt('namespace', str),
      opt('scope_label', str),
      opt('role_label', str),
      opt('leader_label_value', str),
      opt('follower_label_value', str),
      opt('standby_leader_label_value', str),
      opt('tmp_role_label', str),
      opt('use_endpoints', bool),
      opt('pod_ip', str),
      opt('ports', list(obj(req('name', str), req('port', port)))),
      opt('cacert', str),
      opt('retriable_http_codes', or(int, list(int))),
      opt('bootstrap_labels', dict),
    ),
    raft: obj(
      req('self_addr', connect),
      opt('bind_addr', listen),
      req('partner_addrs', check(hostPortListCheck(ctx), 'list')),
      opt('data_dir', str),
      opt('password', str),
    ),
    zookeeper: obj(
      req('hosts', hostsList),
      opt('use_ssl', bool),
      opt('cacert', str),
      opt('cert', str),
      opt('key', str),
      opt('key_password', str),
      opt('verify', bool),
      opt('set_acls', zkSetAcls),
      opt('auth_data', dict),
    ),
  };
  const pgParamInt = (min: number, max: number) => intRange({ min, max });
  return obj(
    req('name', memberName),
    req('scope', str),
    opt('thread_pool_size', intRange({ min: 5 })), // addition: documented minimum
    opt(
      'log',
      obj(
        opt('type', oneOf(['plain', 'json'], true)),
        opt('level', oneOf(['DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL'], false)),
        opt('traceback_level', oneOf(['DEBUG', 'ERROR'], false)),
        opt('format', logFormat),
        opt('dateformat', str),
        opt('static_fields', dict),
        opt('max_queue_size', int),
        opt('dir', str),
        opt('file_num', int),
        opt('file_size', int),
        opt('mode', intRange({ min: 0, max: 511, expected: 'int' })),
        opt('loggers', dict),
        opt('deduplicate_heartbeat_logs', bool),
      ),
    ),
    opt('ctl', obj(opt('insecure', bool), opt('cacert', str), opt('certfile', str), opt('keyfile', str), opt('keyfile_password', str))),
    req(
      'restapi',
      obj(
        req('listen', listen),
        req('connect_address', connect),
        opt('authentication', obj(req('username', str), req('password', str))),
        opt('certfile', str),
        opt('keyfile', str),
        opt('keyfile_password', str),
        opt('cafile', str),
        opt('ciphers', str),
        opt('verify_client', oneOf(['none', 'optional', 'required'], true)),
        opt('allowlist', list(str)),
        opt('allowlist_include_members', bool),
        opt('http_extra_headers', dict),
        opt('https_extra_headers', dict),
        opt('request_queue_size', intRange({ min: 0, max: 4096, expected: 'int' })),
        opt('server_tokens', oneOf(['minimal', 'productonly', 'original'], false)),
      ),
    ),
    opt(
      'bootstrap',
      obj(
        req(
          'dcs',
          obj(
            opt('ttl', intRange({ min: MIN_SAFE_TTL })),
            opt('loop_wait', intRange({ min: 1 })),
            opt('retry_timeout', intRange({ min: 3 })),
            opt('maximum_lag_on_failover', intRange({ min: 0 })),
            opt('maximum_lag_on_syncnode', intRange({ min: -1 })),
            opt('member_slots_ttl', intRange({ min: 0, baseUnit: 's' })),
            opt(
              'postgresql',
              obj(
                opt(
                  'parameters',
                  obj(
                    opt('max_connections', pgParamInt(1, 262143)),
                    opt('max_locks_per_transaction', pgParamInt(10, 2147483647)),
                    opt('max_prepared_transactions', pgParamInt(0, 262143)),
                    opt('max_replication_slots', pgParamInt(0, 262143)),
                    opt('max_wal_senders', pgParamInt(0, 262143)),
                    opt('max_worker_processes', pgParamInt(0, 262143)),
                  ),
                ),
                opt('use_pg_rewind', bool),
                opt('pg_hba', list(str)),
                opt('pg_ident', list(str)),
                opt('pg_ctl_timeout', intRange({ min: 0 })),
                opt('use_slots', bool),
              ),
            ),
            opt('primary_start_timeout', intRange({ min: 0 })),
            opt('primary_stop_timeout', intRange({ min: 0 })),
            opt(
              'standby_cluster',
              obj(
                { key: 'or', cases: { host: str, port, restore_command: str } },
                opt('primary_slot_name', str),
                opt('create_replica_methods', list(str)),
                opt('archive_cleanup_command', str),
                opt('recovery_min_apply_delay', str),
              ),
            ),
            opt('synchronous_mode', synchronousMode),
            opt('synchronous_mode_strict', bool),
            opt('synchronous_node_count', intRange({ min: 1 })),
          ),
        ),
        opt('initdb', list(or(str, dict))),
        opt('method', str),
      ),
    ),
    { key: 'or', cases: dcsCases },
    opt('citus', obj(req('database', str), req('group', intRange({ min: 0, expected: 'int' })))),
    req(
      'postgresql',
      obj(
        req('listen', listenMulti),
        req('connect_address', connect),
        opt('proxy_address', connect),
        req('authentication', obj(req('replication', userAttributes), req('superuser', userAttributes), opt('rewind', userAttributes))),
        req('data_dir', check(dataDirCheck(ctx), 'string')),
        opt('bin_name', obj(...['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready', 'pg_rewind'].map((b) => opt(b, binaryName)))),
        opt('bin_dir', { kind: 'custom', run: binDirRun(ctx) }),
        opt('parameters', obj(opt('unix_socket_directories', str))),
        opt('pg_hba', list(str)),
        opt('pg_ident', list(str)),
        opt('pg_ctl_timeout', intRange({ min: 0 })),
        opt('use_pg_rewind', bool),
      ),
    ),
    opt('watchdog', obj(opt('mode', watchdogMode), opt('device', str), opt('safety_margin', intRange({ min: -1, expected: 'int' })), opt('driver', str))),
    opt(
      'tags',
      obj(
        { key: 'atMostOne', cases: { nofailover: bool, failover_priority: intRange({ min: 0, expected: 'int' }) } },
        opt('clonefrom', bool),
        opt('noloadbalance', bool),
        opt('replicatefrom', str),
        { key: 'atMostOne', cases: { nosync: bool, sync_priority: intRange({ min: 0, expected: 'int' }) } },
        opt('nostream', bool),
      ),
    ),
  );
}

const toProblem = (r: Result, error: string): ConfigProblem => ({ path: r.path, value: pyStr(r.data), error });

/** Problems and (separately) warnings for a raw configuration document. */
export function validateConfigDetailed(raw: JsonObject, opts: ValidateOptions = {}): { problems: ConfigProblem[]; warnings: ConfigProblem[] } {
  const pending: Array<[string, number]> = [];
  const answers = new Map<string, TcpState>();
  const versions = new Map<string, string>();
  let answering = false;
  const ctx: RuleContext = {
    opts,
    raw,
    tcp(host, port) {
      const key = `${host}\u0000${port}`;
      if (!answering) {
        pending.push([host, port]);
        return undefined;
      }
      return answers.get(key);
    },
    postgresMajorVersion(binary) {
      const cached = versions.get(binary);
      if (cached !== undefined) return cached;
      const v = postgresMajorVersion(binary);
      versions.set(binary, v);
      return v;
    },
  };
  let results = validate(buildSchema(ctx), raw);
  if (pending.length) {
    // Second pass with every probe answered by one child process.
    probeTcp(pending).forEach((state, i) => {
      const [h, p] = pending[i] as [string, number];
      answers.set(`${h}\u0000${p}`, state);
    });
    answering = true;
    results = validate(buildSchema(ctx), raw);
  }
  const problems = results.filter((r) => !r.ok).map((r) => toProblem(r, r.error ?? "didn't pass validation"));
  // Addition: Patroni silently uses the first DCS section it finds; two sections is a mistake.
  const dcsPresent = DCS_SECTIONS.filter((s) => Object.prototype.hasOwnProperty.call(raw, s));
  if (dcsPresent.length > 1) {
    problems.push({ path: '', value: '', error: `Multiple of (${dcsPresent.map((s) => `'${s}'`).join(', ')}) provided` });
  }
  const warnings = results.filter((r) => r.warning).map((r) => toProblem(r, r.warning as string));
  return { problems, warnings };
}

/** Problems only (see validateConfigDetailed for the loopback warnings). */
export function validateConfig(raw: JsonObject, opts: ValidateOptions = {}): ConfigProblem[] {
  return validateConfigDetailed(raw, opts).problems;
}
