// JSON values as they come from YAML files, the DCS and HTTP bodies. Everything that crosses a
// process boundary is typed as Json first and narrowed by a parser, never cast.
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deepest nesting accepted from outside (HTTP bodies, DCS values, cache files). Patroni's own
 * documents nest a handful of levels; the code that walks parsed values (mergePatch, JSON.stringify)
 * recurses, so a 3,000-level document must be refused before it is parsed, not crash a walker later.
 */
export const MAX_JSON_DEPTH = 100;

/** Nesting depth of JSON text ([ and { outside strings), counted without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** JSON.parse that never throws: undefined for invalid text or text nested deeper than MAX_JSON_DEPTH. */
export function parseJson(text: string): Json | undefined {
  if (jsonDepth(text) > MAX_JSON_DEPTH) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Deep merge used for config overlays and PATCH /config: null deletes a key, objects recurse. */
export function mergePatch(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergePatch(out[key] as JsonObject, value);
    else out[key] = value;
  }
  return out;
}

/**
 * Python's str() of a JSON value (undefined: a missing key, None), as Patroni renders values in
 * comparisons (deep_compare), validation messages and script arguments: `True`, `None`, `5`.
 */
export function pyStr(v: Json | undefined): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return pyRepr(v);
}

/** Python's repr() of a JSON value: strings quoted, lists and dicts as Python prints them. */
export function pyRepr(v: Json): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return pyStr(v);
}

/** Python-compatible boolean parsing used for DCS config and tags ("on", "yes", "1", true...). */
export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 'y', 't'].includes(s)) return true;
  if (['off', 'false', 'no', '0', 'n', 'f'].includes(s)) return false;
  return undefined;
}

export function parseIntLoose(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}
