// The argument vectors Patroni builds for user scripts, as pure functions: callbacks
// (Postgresql.call_nowait), custom bootstrap (Bootstrap._custom_bootstrap), replica creation methods
// (Bootstrap.create_replica), post_bootstrap (Bootstrap.call_post_bootstrap), pre_promote and
// before_stop. Values are rendered as Python's str() renders them (`True`, `None`, `5`), because
// that is what scripts written for Patroni receive.
import { isObject, pyRepr, pyStr, type Json, type JsonObject } from '../util/json.js';
import { shlexSplit } from './shlex.js';

export type CallbackAction = 'on_start' | 'on_stop' | 'on_restart' | 'on_reload' | 'on_role_change';
export const CALLBACK_ACTIONS: readonly CallbackAction[] = ['on_start', 'on_stop', 'on_restart', 'on_reload', 'on_role_change'];

/** Roles a callback script sees (Patroni never passes `promoted`: it becomes `primary`). */
export type CallbackRole = 'primary' | 'replica' | 'standby_leader' | 'demoted' | 'uninitialized';

/** Python's repr of an argument list, as Patroni logs commands (`['/bin/cb', 'on_start', ...]`). */
export const pyList = (argv: string[]): string => pyRepr(argv);

/** `cmd action role scope` (Postgresql.call_nowait). */
export function callbackCommand(cmd: string, action: CallbackAction, role: CallbackRole, scope: string): string[] {
  return [...shlexSplit(cmd), action, role, scope];
}

/** The `bootstrap.<method>` section when it is a custom method Patroni would run, else null (initdb). */
export function customBootstrapMethod(bootstrap: JsonObject): { name: string; config: JsonObject } | null {
  const name = typeof bootstrap.method === 'string' && bootstrap.method ? bootstrap.method : 'initdb';
  const section = bootstrap[name];
  if (name === 'initdb' || !isObject(section) || !('command' in section)) return null;
  return { name, config: section };
}

const BOOTSTRAP_RESERVED = new Set(['command', 'no_params', 'keep_existing_recovery_conf', 'recovery_conf', 'scope', 'datadir']);

/** `command --scope=S --datadir=D --key=value...` (no --scope/--datadir with no_params). */
export function customBootstrapCommand(config: JsonObject, scope: string, dataDir: string): string[] {
  const params = truthy(config.no_params) ? [] : [`--scope=${scope}`, `--datadir=${dataDir}`];
  for (const [k, v] of Object.entries(config)) if (!BOOTSTRAP_RESERVED.has(k)) params.push(`--${k}=${pyStr(v)}`);
  return [...shlexSplit(pyStr(config.command)), ...params];
}

export interface ReplicaMethodInput {
  method: string;
  /** postgresql.<method> (may be absent: the method name is then the command). */
  config: JsonObject | undefined;
  scope: string;
  dataDir: string;
  /** Replication connection string to the clone source; empty when there is none (no_leader). */
  connstring: string;
}

/**
 * A custom replica creation method: `command --key=value... --scope= --role=replica --datadir=
 * --connstring=`. Like Patroni, the method's own keys come first and include keep_data/no_leader
 * (as `True`) unless no_params, which drops them all.
 */
export function replicaMethodCommand(r: ReplicaMethodInput): string[] {
  const cfg: JsonObject = { ...(r.config ?? {}) };
  let cmd = r.method;
  if (Object.keys(cfg).length > 0 && 'command' in cfg) {
    cmd = pyStr(cfg.command);
    delete cfg.command;
  }
  if (!truthy(cfg.no_params)) {
    Object.assign(cfg, { scope: r.scope, role: 'replica', datadir: r.dataDir, connstring: r.connstring });
  } else {
    for (const k of ['no_params', 'no_master', 'no_leader', 'keep_data']) delete cfg[k];
  }
  return [...shlexSplit(cmd), ...Object.entries(cfg).map(([k, v]) => `--${k}=${pyStr(v)}`)];
}

/** Patroni's replica_method_can_work_without_replication_connection. */
export function worksWithoutLeader(method: string, config: JsonObject | undefined): boolean {
  return method !== 'basebackup' && (truthy(config?.no_master) || truthy(config?.no_leader));
}

/** post_bootstrap (or post_init) gets the superuser connection string as its only argument. */
export function postBootstrapCommand(cmd: string, connstring: string): string[] {
  return [...shlexSplit(cmd), connstring];
}

/** Python truthiness of a YAML value (Patroni tests these keys with `if config.get(...)`). */
export function truthy(v: Json | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}
