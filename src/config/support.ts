// What patroni-ts does with each key of Patroni 4.1's configuration schema that it does not run as
// Patroni runs it: one data table, so a helper who implements a key deletes its row. Every row is
// named in one line at start (a warning) and by --validate-config (a problem), never silently ignored.
// Keys absent from both tables are implemented.
import { isObject, type Json, type JsonObject } from '../util/json.js';

/** DCS sections whose backend does not exist yet (the only etcd backend today is etcd3). */
export const UNSUPPORTED_DCS: readonly string[] = ['consul', 'kubernetes', 'raft'];

/** The one line for a DCS kind without a backend yet: at start, in --validate-config and in patronictl. */
export function unsupportedDcs(kind: string): string {
  return `${kind}: the ${kind} DCS is not supported by patroni-ts yet (use etcd3, etcd, zookeeper or exhibitor)`;
}

/**
 * Keys Patroni runs and patroni-ts does not yet. `refuse`: starting without it would do something
 * else than Patroni with data or safety (a new empty cluster instead of a restore), so the daemon refuses to start; otherwise it starts and warns.
 * Setting a key to a value that means "off" (false, empty, the built-in method) is not reported.
 */
export const UNSUPPORTED_KEYS: ReadonlyArray<{ key: string; refuse: boolean }> = [
  { key: 'citus', refuse: true },
  { key: 'postgresql.proxy_address', refuse: false },
];

/** Keys accepted with no effect in Node.js, and why (README "Settings with no effect"). */
export const NO_EFFECT_KEYS: Readonly<Record<string, string>> = {
  thread_pool_size: 'Python thread pool of the REST API; Node.js serves requests on its event loop',
  thread_stack_size: 'Python thread stack size',
  'restapi.request_queue_size': "socket listen backlog of Python's HTTP server; Node.js uses the OS default",
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

export interface UnsupportedSetting {
  key: string;
  line: string;
  refuse: boolean;
}

/** One line per setting of `raw` that patroni-ts would not run as Patroni does. */
export function unsupportedSettings(raw: JsonObject): UnsupportedSetting[] {
  const out: UnsupportedSetting[] = [];
  for (const dcs of UNSUPPORTED_DCS) {
    if (raw[dcs] !== undefined && raw[dcs] !== null) {
      out.push({ key: dcs, line: unsupportedDcs(dcs), refuse: true });
    }
  }
  for (const { key, refuse } of UNSUPPORTED_KEYS) {
    const v = lookup(raw, key);
    if (!present(v)) continue;
    out.push({ key, line: `${key}: not supported by patroni-ts yet`, refuse });
  }
  return out;
}

/** Keys set in `raw` that are accepted but have no effect (logged once at INFO). */
export function noEffectSettings(raw: JsonObject): string[] {
  return Object.keys(NO_EFFECT_KEYS).filter((k) => present(lookup(raw, k)));
}
