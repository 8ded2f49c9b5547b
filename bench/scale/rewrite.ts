// Replaying one cluster's recorded etcd v3 (JSON gateway) requests as another cluster (pure): keys of
// `/service/<scope>` move to `/service/<new scope>`, recorded lease IDs become the simulated member's
// own, and a watch starts from now instead of the recorded revision.
import { isObject, type Json, type JsonObject } from '../../src/util/json.js';

const KEY_FIELDS = new Set(['key', 'range_end']);
const LEASE_FIELDS = new Set(['lease', 'ID']);

function rebase64(value: string, from: string, to: string): string {
  const decoded = Buffer.from(value, 'base64');
  if (decoded.toString('base64') !== value) return value; // not base64: leave it
  const text = decoded.toString('latin1');
  return text.startsWith(from) ? Buffer.from(to + text.slice(from.length), 'latin1').toString('base64') : value;
}

export interface Rewrite {
  /** `/service/<recorded scope>` */
  fromPrefix: string;
  /** `/service/<simulated scope>` */
  toPrefix: string;
  /** Recorded lease ID -> the simulated member's lease ID (decimal strings, as the gateway writes them). */
  leases: ReadonlyMap<string, string>;
}

export function rewriteJson(value: Json, r: Rewrite, field = ''): Json {
  if (Array.isArray(value)) return value.map((v) => rewriteJson(v, r));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'start_revision') continue;
      out[k] = rewriteJson(v, r, k);
    }
    return out;
  }
  if (typeof value === 'string' && KEY_FIELDS.has(field)) return rebase64(value, r.fromPrefix, r.toPrefix);
  if ((typeof value === 'string' || typeof value === 'number') && LEASE_FIELDS.has(field)) {
    const mapped = r.leases.get(String(value));
    return mapped ?? value;
  }
  return value;
}

/** Lease IDs referenced by a request body (to grant one per simulated member before the replay). */
export function leaseIds(value: Json, field = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => leaseIds(v));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => leaseIds(v, k));
  if ((typeof value === 'string' || typeof value === 'number') && LEASE_FIELDS.has(field) && String(value) !== '0') return [String(value)];
  return [];
}
