// What patroni-ts does with each key of Patroni 4.1's configuration schema that it does not run as
// Patroni runs it: one data table, so a helper who implements a key deletes its row. Every row is
// named in one line at start (a warning) and by --validate-config (a problem), never silently ignored.
// Keys absent from both tables are implemented.
import { isObject, type Json, type JsonObject } from '../util/json.js';

/** DCS sections whose backend does not exist yet (the only etcd backend today is etcd3). */
export const UNSUPPORTED_DCS: readonly string[] = ['etcd', 'zookeeper', 'exhibitor', 'consul', 'kubernetes', 'raft'];

/**
 * Dotted key paths (a `*` segment matches any name) that Patroni runs and patroni-ts does not yet.
 * Setting one of them to a value that means "off" (false, empty) is not reported.
 */
export const UNSUPPORTED_KEYS: readonly string[] = [
  'citus',
  'watchdog.mode',
  'postgresql.callbacks',
  'postgresql.before_stop',
  'postgresql.pre_promote',
  'bootstrap.method',
  'postgresql.create_replica_methods',
  'postgresql.create_replica_method',
];

/** Keys accepted with no effect in Node.js, and why (README "Settings with no effect"). */
export const NO_EFFECT_KEYS: Readonly<Record<string, string>> = {
  thread_pool_size: 'Python thread pool of the REST API; Node.js serves requests on its event loop',
  thread_stack_size: 'Python thread stack size',
  'restapi.request_queue_size': 'socket listen backlog of Python\'s HTTP server; Node.js uses the OS default',
};

function present(v: Json | undefined): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

function lookup(raw: JsonObject, path: string): Json | undefined {
  let cur: Json | undefined = raw;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** A method name other than the built-in ones is a custom method (not supported yet). */
const BUILTIN_METHOD = (key: string, v: Json): boolean => {
  if (key === 'bootstrap.method') return v === 'initdb';
  if (key.startsWith('postgresql.create_replica_method')) {
    const list = Array.isArray(v) ? v : [v];
    return list.every((m) => m === 'basebackup');
  }
  if (key === 'watchdog.mode') return ['off', 'disable', 'disabled', 'false', false].includes(typeof v === 'string' ? v.toLowerCase() : (v as boolean));
  return false;
};

export interface UnsupportedSetting { key: string; line: string }

/** One line per setting of `raw` that patroni-ts would not run as Patroni does. */
export function unsupportedSettings(raw: JsonObject): UnsupportedSetting[] {
  const out: UnsupportedSetting[] = [];
  for (const dcs of UNSUPPORTED_DCS) {
    if (raw[dcs] !== undefined && raw[dcs] !== null) {
      out.push({ key: dcs, line: `${dcs}: the ${dcs} DCS is not supported by patroni-ts yet (use etcd3)` });
    }
  }
  for (const key of UNSUPPORTED_KEYS) {
    const v = lookup(raw, key);
    if (!present(v) || BUILTIN_METHOD(key, v as Json)) continue;
    out.push({ key, line: `${key}: not supported by patroni-ts yet` });
  }
  return out;
}

/** Keys set in `raw` that are accepted but have no effect (logged once at INFO). */
export function noEffectSettings(raw: JsonObject): string[] {
  return Object.keys(NO_EFFECT_KEYS).filter((k) => present(lookup(raw, k)));
}
