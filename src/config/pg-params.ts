// Protected PostgreSQL parameters (Patroni's ConfigHandler.CMDLINE_OPTIONS): Patroni passes them on the
// postmaster command line and validates values coming from the DCS; an invalid value falls back to the
// default.
import { parseBool, type Json, type JsonObject } from '../util/json.js';
import { parseIntWithUnit } from './units.js';

/** Keys of a `postgresql.authentication` user besides the name (`_AUTH_ALLOWED_PARAMETERS` of Patroni's config.py). */
export const USER_AUTH_KEYS = [
  'username',
  'password',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'gssencmode',
  'channel_binding',
  'sslnegotiation',
];

type Check = (v: Json) => boolean;

const intAtLeast =
  (min: number, baseUnit?: string): Check =>
  (v) => {
    const n = parseIntWithUnit(v, baseUnit);
    return n !== undefined && n >= min;
  };
const isBool: Check = (v) => parseBool(v) !== undefined;

interface Protected {
  default: Json;
  valid: Check;
}

/** Defaults and validity rules; listen_addresses/port/cluster_name come from local config only. */
export const PROTECTED_PARAMETERS: Record<string, Protected> = {
  wal_level: { default: 'hot_standby', valid: (v) => typeof v === 'string' && ['hot_standby', 'replica', 'logical'].includes(v.toLowerCase()) },
  hot_standby: { default: 'on', valid: (v) => parseBool(v) === true },
  max_connections: { default: 100, valid: intAtLeast(25) },
  max_wal_senders: { default: 10, valid: intAtLeast(3) },
  wal_keep_segments: { default: 8, valid: intAtLeast(1) },
  wal_keep_size: { default: '128MB', valid: intAtLeast(16, 'MB') },
  max_prepared_transactions: { default: 0, valid: intAtLeast(0) },
  max_locks_per_transaction: { default: 64, valid: intAtLeast(32) },
  track_commit_timestamp: { default: 'off', valid: isBool },
  max_replication_slots: { default: 10, valid: intAtLeast(4) },
  max_worker_processes: { default: 8, valid: intAtLeast(2) },
  wal_log_hints: { default: 'on', valid: isBool },
};

/** Set only from postgresql.listen / scope, never through parameters. */
export const LOCAL_ONLY_PARAMETERS = ['listen_addresses', 'port', 'cluster_name'];

/**
 * Parameters from the DCS with the protected ones checked: invalid values and the local-only ones
 * are dropped (the caller's defaults apply) and described in `warnings`.
 */
export function validateDynamicParameters(params: JsonObject): { parameters: JsonObject; warnings: string[] } {
  const parameters: JsonObject = {};
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (LOCAL_ONLY_PARAMETERS.includes(name)) {
      warnings.push(`Parameter ${name} can not be set via the dynamic configuration, ignoring it`);
      continue;
    }
    const rule = PROTECTED_PARAMETERS[name];
    if (rule && !rule.valid(value)) {
      warnings.push(`Value=${String(value)} of parameter=${name} is invalid, using default=${String(rule.default)}`);
      continue;
    }
    parameters[name] = value;
  }
  return { parameters, warnings };
}
