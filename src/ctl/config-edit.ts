// edit-config's pure pieces (ctl.apply_config_changes, ctl.apply_yaml_file): `-s`/`-p` dotted-path
// edits, YAML 1.1 value and document parsing like PyYAML's safe_load, and the merge of `--apply` files.
import { parse } from 'yaml';
import { isObject, mergePatch, type Json, type JsonObject } from '../util/json.js';
import { CtlError } from './errors.js';

/** A YAML 1.1 document (PyYAML safe_load) as Json; timestamps stay text. */
export function loadYaml(text: string): Json {
  return toJson(parse(text, { version: '1.1' }));
}

function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJson(x)]));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return String(v);
}

function setPath(config: JsonObject, path: string[], value: Json, prefix: string[]): void {
  // GUCs may contain dots: below postgresql.parameters the rest of the path is one key.
  const keys = prefix.join('.') === 'postgresql.parameters' ? [path.join('.')] : path;
  const [key, ...rest] = keys;
  if (key === undefined) return;
  if (rest.length === 0) {
    if (value === null) delete config[key];
    else config[key] = value;
    return;
  }
  const child = config[key];
  const next: JsonObject = isObject(child) ? child : {};
  config[key] = next;
  setPath(next, rest, value, [...prefix, key]);
  if (Object.keys(next).length === 0) delete config[key];
}

/** Apply `key.path=value` pairs to a copy of the config. */
export function applyConfigChanges(data: JsonObject, pairs: string[]): JsonObject {
  const changed = structuredClone(data);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (!pair || eq < 0) throw new CtlError(`Invalid parameter setting ${pair}`);
    setPath(changed, pair.slice(0, eq).trim().split('.'), loadYaml(pair.slice(eq + 1)), []);
  }
  return changed;
}

/** `--apply`: merge a YAML document into the config like PATCH /config (null deletes). */
export function applyYamlText(data: JsonObject, text: string): JsonObject {
  const patch = loadYaml(text);
  return isObject(patch) ? mergePatch(data, patch) : structuredClone(data);
}

/** `--replace` / editor output: the document itself (an empty document is an empty config). */
export function yamlDocument(text: string): JsonObject {
  const doc = loadYaml(text);
  return isObject(doc) ? doc : {};
}

/** Python `==` on JSON values: key order does not matter. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
