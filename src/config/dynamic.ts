// The dynamic configuration (DCS `config` key) with defaults, lenient parsing and the timeout sanity
// rule of Patroni's Config._validate_and_adjust_timeouts. Pure apart from logging the adjustments it makes.
import { log } from '../log/logger.js';
import { isObject, parseBool, type Json, type JsonObject } from '../util/json.js';
import { validateDynamicParameters } from './pg-params.js';
import type { DynamicConfig } from './types.js';
import { parseDuration, parseIntWithUnit } from './units.js';

export { parseDuration, parseSize } from './units.js';

export interface Timeouts {
  ttl: number;
  loop_wait: number;
  retry_timeout: number;
}

const MIN_LOOP_WAIT = 1;
const MIN_RETRY_TIMEOUT = 3;
/** Patroni's smallest ttl; from here up the adjustment is exactly Patroni's. */
export const PATRONI_MIN_TTL = 20;
/**
 * The smallest ttl patroni-ts runs with (README "Small TTLs"): the leader lease is renewed every ttl/3
 * by its own timer, and the fence stops PostgreSQL 1 s before the lease could expire; below 6 s one
 * renewal at 500 ms etcd latency plus a 1 s stall of the process would leave no room.
 */
export const MIN_SAFE_TTL = 6;

/**
 * Raise values below their minimum, then enforce `loop_wait + 2*retry_timeout <= ttl`: lower
 * loop_wait, and if even loop_wait=1 doesn't fit, also retry_timeout = (ttl-1)//2 (Patroni's rule).
 * Below Patroni's ttl minimum (20) only `2*retry_timeout <= ttl` holds: the lease does not wait for
 * the cycle, so loop_wait is left as configured.
 */
export function adjustTimeouts(input: Timeouts): Timeouts & { warnings: string[] } {
  const warnings: string[] = [];
  const t = { ...input };
  for (const [key, min] of [
    ['loop_wait', MIN_LOOP_WAIT],
    ['retry_timeout', MIN_RETRY_TIMEOUT],
    ['ttl', MIN_SAFE_TTL],
  ] as const) {
    if (t[key] < min) {
      warnings.push(`${key}=${t[key]} can't be smaller than ${min}, adjusting...`);
      t[key] = min;
    }
  }
  if (t.ttl < PATRONI_MIN_TTL) {
    warnings.push(
      `ttl=${t.ttl} is below Patroni's minimum of ${PATRONI_MIN_TTL}: kept, the leader lease is renewed every ${+(t.ttl / 3).toFixed(2)} s by its own timer and fenced 1 s before it could expire (Patroni nodes in the same cluster use ${PATRONI_MIN_TTL})`,
    );
    if (2 * t.retry_timeout > t.ttl) {
      const retryTimeout = Math.floor(t.ttl / 2);
      warnings.push(
        `Violated the rule "2*retry_timeout <= ttl" for ttl=${t.ttl} (below Patroni's minimum of ${PATRONI_MIN_TTL}). Adjusting retry_timeout from ${t.retry_timeout} to ${retryTimeout}`,
      );
      t.retry_timeout = retryTimeout;
    }
    return { ...t, warnings };
  }
  if (t.loop_wait + 2 * t.retry_timeout > t.ttl) {
    if (MIN_LOOP_WAIT + 2 * t.retry_timeout <= t.ttl) {
      const loopWait = t.ttl - 2 * t.retry_timeout;
      warnings.push(
        `Violated the rule "loop_wait + 2*retry_timeout <= ttl", where ttl=${t.ttl} and retry_timeout=${t.retry_timeout}. Adjusting loop_wait from ${t.loop_wait} to ${loopWait}`,
      );
      t.loop_wait = loopWait;
    } else {
      const retryTimeout = Math.floor((t.ttl - MIN_LOOP_WAIT) / 2);
      warnings.push(
        `Violated the rule "loop_wait + 2*retry_timeout <= ttl", where ttl=${t.ttl}. Adjusting loop_wait from ${t.loop_wait} to ${MIN_LOOP_WAIT} and retry_timeout from ${t.retry_timeout} to ${retryTimeout}`,
      );
      t.loop_wait = MIN_LOOP_WAIT;
      t.retry_timeout = retryTimeout;
    }
  }
  return { ...t, warnings };
}

const intOr = (v: Json | undefined, dflt: number): number => parseIntWithUnit(v) ?? dflt;
const boolOr = (v: Json | undefined, dflt: boolean): boolean => parseBool(v) ?? dflt;

/** 'quorum', or bool-ish on/off; anything unparsable is off. */
export function parseSynchronousMode(v: Json | undefined): DynamicConfig['synchronous_mode'] {
  if (typeof v === 'string' && v.trim().toLowerCase() === 'quorum') return 'quorum';
  return parseBool(v) === true ? 'on' : 'off';
}

const STANDBY_KEYS = ['host', 'port', 'primary_slot_name', 'create_replica_methods', 'restore_command', 'archive_cleanup_command', 'recovery_min_apply_delay'];

/** The standby_cluster section when it makes this a standby cluster (host, port or restore_command set). */
export function activeStandbyCluster(v: Json | undefined): JsonObject | null {
  if (!isObject(v)) return null;
  const section: JsonObject = {};
  for (const key of STANDBY_KEYS) if (v[key] !== undefined && v[key] !== null && v[key] !== '') section[key] = v[key] as Json;
  return ['host', 'port', 'restore_command'].some((k) => k in section) ? section : null;
}

/** New key, else its legacy `master_*` alias (used only when the new key is absent). */
function withLegacy(json: JsonObject, key: string, legacy: string): Json | undefined {
  return key in json ? json[key] : json[legacy];
}

export function buildDynamicConfig(json: JsonObject | null | undefined): DynamicConfig {
  const raw: JsonObject = json ?? {};
  const pg = isObject(raw.postgresql) ? raw.postgresql : {};
  const timeouts = adjustTimeouts({
    ttl: intOr(raw.ttl, 30),
    loop_wait: intOr(raw.loop_wait, 10),
    retry_timeout: intOr(raw.retry_timeout, 10),
  });
  for (const w of timeouts.warnings) log.warning('%s', w);
  const { parameters, warnings } = validateDynamicParameters(isObject(pg.parameters) ? pg.parameters : {});
  for (const w of warnings) log.warning('%s', w);

  const strict = boolOr(raw.synchronous_mode_strict, false);
  const standby = activeStandbyCluster(raw.standby_cluster);
  return {
    ttl: timeouts.ttl,
    loop_wait: timeouts.loop_wait,
    retry_timeout: timeouts.retry_timeout,
    maximum_lag_on_failover: intOr(raw.maximum_lag_on_failover, 1048576),
    maximum_lag_on_syncnode: intOr(raw.maximum_lag_on_syncnode, -1),
    max_timelines_history: intOr(raw.max_timelines_history, 0),
    primary_start_timeout: intOr(withLegacy(raw, 'primary_start_timeout', 'master_start_timeout'), 300),
    primary_stop_timeout: intOr(withLegacy(raw, 'primary_stop_timeout', 'master_stop_timeout'), 0),
    primary_race_backoff: intOr(raw.primary_race_backoff, 0),
    check_timeline: boolOr(raw.check_timeline, false),
    pause: boolOr(raw.pause, false),
    // Synchronous replication has no meaning inside a standby cluster (Patroni ignores it there).
    synchronous_mode: standby ? 'off' : parseSynchronousMode(raw.synchronous_mode),
    synchronous_mode_strict: strict,
    synchronous_node_count: Math.max(intOr(raw.synchronous_node_count, 1), strict ? 1 : 0),
    failsafe_mode: boolOr(raw.failsafe_mode, false),
    member_slots_ttl: parseDuration(raw.member_slots_ttl) ?? 1800,
    standby_cluster: standby,
    use_slots: boolOr(pg.use_slots, true),
    use_pg_rewind: boolOr(pg.use_pg_rewind, false),
    parameters,
    raw,
  };
}
