// PATCH/PUT /config semantics (RestApiHandler.do_PATCH_config / do_PUT_config): Patroni's patch_config
// and deep_compare, which compare leaves by Python str() so `true` and "True", `1` and "1" count as
// equal. Pure.
import { isObject, pyStr, type Json, type JsonObject } from '../util/json.js';

/** Merge `patch` into a copy of `config`; `changed` is false when the result equals the original. */
export function patchConfig(config: JsonObject, patch: JsonObject): { config: JsonObject; changed: boolean } {
  const out: JsonObject = { ...config };
  let changed = false;
  for (const [name, value] of Object.entries(patch)) {
    const old = out[name];
    if (value === null) {
      // Removing an absent key (or one holding null) is no change, as in Python's pop(name, None).
      if (Object.hasOwn(out, name)) {
        delete out[name];
        if (old !== null) changed = true;
      }
    } else if (old === undefined) {
      out[name] = value;
      changed = true;
    } else if (isObject(value)) {
      if (isObject(old)) {
        const sub = patchConfig(old, value);
        out[name] = sub.config;
        changed ||= sub.changed;
      } else {
        out[name] = value;
        changed = true;
      }
    } else if (pyStr(old) !== pyStr(value)) {
      out[name] = value;
      changed = true;
    }
  }
  return { config: out, changed };
}

/** Patroni's deep_compare: same key sets, nested objects recursively, leaves by str(). */
export function deepCompare(a: JsonObject, b: JsonObject): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length || !ka.every((k) => Object.hasOwn(b, k))) return false;
  return ka.every((k) => {
    const va = a[k] as Json;
    const vb = b[k] as Json;
    if (isObject(va)) return isObject(vb) && deepCompare(va, vb);
    return pyStr(va) === pyStr(vb);
  });
}
