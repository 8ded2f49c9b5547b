// The server parameters Patroni runs PostgreSQL with (ConfigHandler.get_server_parameters): protected
// defaults, dynamic parameters, local parameters on top (protected ones ignored locally), then the
// values Patroni owns.
import { isAbsolute, join } from 'node:path';
import type { Json, JsonObject } from '../util/json.js';
import { parseBool } from '../util/json.js';
import { log } from '../log/logger.js';
import { validateParameter, type GucTable } from './gucs.js';

type Check = (v: string) => boolean;
const intAtLeast =
  (min: number): Check =>
  (v) =>
    /^\s*-?\d+\s*$/.test(v) && Number.parseInt(v, 10) >= min;
const never: Check = () => false;

/** Protected parameters in Patroni's order: [default, dynamic validation, min server version]. */
export const PROTECTED: ReadonlyArray<[string, string | null, Check, number]> = [
  ['listen_addresses', null, never, 90100],
  ['port', null, never, 90100],
  ['cluster_name', null, never, 90500],
  ['wal_level', 'hot_standby', (v) => ['hot_standby', 'replica', 'logical'].includes(v.toLowerCase()), 90100],
  ['hot_standby', 'on', never, 90100],
  ['max_connections', '100', intAtLeast(25), 90100],
  ['max_wal_senders', '10', intAtLeast(3), 90100],
  ['wal_keep_segments', '8', intAtLeast(1), 90100],
  ['wal_keep_size', '128MB', (v) => sizeInMb(v) >= 16, 130000],
  ['max_prepared_transactions', '0', intAtLeast(0), 90100],
  ['max_locks_per_transaction', '64', intAtLeast(32), 90100],
  ['track_commit_timestamp', 'off', (v) => parseBool(v) !== undefined, 90500],
  ['max_replication_slots', '10', intAtLeast(4), 90400],
  ['max_worker_processes', '8', intAtLeast(2), 90400],
  ['wal_log_hints', 'on', never, 90400],
];
const PROTECTED_NAMES = new Set(PROTECTED.map(([n]) => n));

/** GUCs that belong to the recovery block, never to the main parameter list. */
export const RECOVERY_PARAMETERS = new Set([
  'archive_cleanup_command',
  'restore_command',
  'recovery_end_command',
  'recovery_target',
  'recovery_target_name',
  'recovery_target_time',
  'recovery_target_xid',
  'recovery_target_lsn',
  'recovery_target_inclusive',
  'recovery_target_timeline',
  'recovery_target_action',
  'recovery_min_apply_delay',
  'primary_conninfo',
  'primary_slot_name',
  'promote_trigger_file',
  'trigger_file',
  'standby_mode',
  'pause_at_recovery_target',
]);

function sizeInMb(v: string): number {
  const m = /^\s*(\d+)\s*(kB|MB|GB|TB)?\s*$/.exec(v);
  if (!m) return -1;
  const factor: Record<string, number> = { kB: 1 / 1024, MB: 1, GB: 1024, TB: 1024 * 1024 };
  return Number(m[1]) * (m[2] ? (factor[m[2]] ?? 1) : 1);
}

/** A YAML/JSON value as it goes into postgresql.conf. */
export function gucValue(v: Json): string | null {
  if (v === null || typeof v === 'object') return null;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

export interface ParameterInput {
  scope: string;
  listenHosts: string[];
  port: number;
  configDir: string;
  majorVersion: number;
  local: JsonObject;
  dynamic: JsonObject;
  /** Permanent logical slots are kept on this node as a replica: hot_standby_feedback must be on. */
  enforceHotStandbyFeedback?: boolean;
  /** Parameters the server knows (postgres --describe-config); null/absent: no validation. */
  gucs?: GucTable | null;
}

export interface ServerParameters {
  /** Every parameter for postgresql.conf, lower-case names. */
  main: Record<string, string>;
  /** Recovery GUCs found under `parameters` (they become recovery_conf extras). */
  recovery: Record<string, string>;
}

export function serverParameters(input: ParameterInput): ServerParameters {
  const params: Record<string, string> = {};
  for (const [name, def] of PROTECTED) if (def !== null) params[name] = def;
  const explicit = new Set<string>();
  for (const [rawName, rawValue] of Object.entries(input.dynamic)) {
    const name = rawName.toLowerCase();
    const value = gucValue(rawValue);
    if (value === null) continue;
    const prot = PROTECTED.find(([n]) => n === name);
    if (prot && !prot[2](value)) {
      // wal_log_hints: on (the shared tls-everywhere.yml) is what we force anyway: nothing to warn about.
      if (prot[1] !== null && value.toLowerCase() !== prot[1].toLowerCase()) log.warning('Invalid value for %s: %s, using default %s', name, value, prot[1]);
      continue;
    }
    params[name] = value;
    explicit.add(name);
  }
  for (const [rawName, rawValue] of Object.entries(input.local)) {
    const name = rawName.toLowerCase();
    const value = gucValue(rawValue);
    if (value !== null && !PROTECTED_NAMES.has(name)) params[name] = value;
  }
  if (input.gucs) validateAll(params, input.gucs);
  if (input.enforceHotStandbyFeedback) params.hot_standby_feedback = 'on';
  params.cluster_name = input.scope;
  params.listen_addresses = input.listenHosts.join(',');
  params.port = String(input.port);

  const v = input.majorVersion;
  if (params.wal_level === (v >= 90600 ? 'hot_standby' : 'replica')) params.wal_level = v >= 90600 ? 'replica' : 'hot_standby';
  if (v >= 130000) {
    const segments = params.wal_keep_segments;
    delete params.wal_keep_segments;
    if (!explicit.has('wal_keep_size') && explicit.has('wal_keep_segments') && segments) {
      params.wal_keep_size = `${Number.parseInt(segments, 10) * 16}MB`;
    }
  } else if (v > 0) {
    const mb = sizeInMb(params.wal_keep_size ?? '128MB');
    delete params.wal_keep_size;
    if (!explicit.has('wal_keep_segments') && explicit.has('wal_keep_size')) params.wal_keep_segments = String(Math.floor((mb + 8) / 16));
  }
  for (const [name, , , minVersion] of PROTECTED) if (v > 0 && v < minVersion) delete params[name];
  for (const key of ['hba_file', 'ident_file']) {
    const f = params[key];
    if (f !== undefined && !isAbsolute(f)) params[key] = join(input.configDir, f);
  }

  const main: Record<string, string> = {};
  const recovery: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) (RECOVERY_PARAMETERS.has(name) ? recovery : main)[name] = value;
  return { main, recovery };
}

/** Warnings already logged: the plan is rebuilt every cycle, a bad parameter is reported once. */
const reported = new Set<string>();

/** Patroni's validator over the configured parameters (recovery ones are checked elsewhere). */
function validateAll(params: Record<string, string>, gucs: GucTable): void {
  for (const [name, value] of Object.entries(params)) {
    if (RECOVERY_PARAMETERS.has(name)) continue;
    const r = validateParameter(name, value, gucs);
    if (r.warning && !reported.has(r.warning)) {
      reported.add(r.warning);
      log.warning('%s', r.warning);
    }
    if (r.value === null) delete params[name];
    else params[name] = r.value;
  }
}

/** Protected parameters as postmaster options (`--name=value`), wal_keep_* excluded like Patroni. */
export function commandLineOptions(main: Record<string, string>): string[] {
  return PROTECTED.map(([n]) => n)
    .filter((n) => n !== 'wal_keep_segments' && n !== 'wal_keep_size' && main[n] !== undefined)
    .map((n) => `--${n}=${main[n] as string}`);
}
