// JSON values as they come from YAML files, the DCS and HTTP bodies. Everything that crosses a
// process boundary is typed as Json first and narrowed by a parser, never cast.
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse that never throws: undefined for invalid text. */
export function parseJson(text: string): Json | undefined {
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
