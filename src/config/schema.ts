// A small port of Patroni's validator.Schema engine, so `--validate-config` reports the same
// paths, values and messages (`<path> <value> <error>`), including its Or/AtMostOne semantics.
import { isObject, type Json } from '../util/json.js';

export type TypeName = 'string' | 'int' | 'bool' | 'list' | 'dict';

/** Thrown by check functions: becomes "didn't pass validation: <message>". */
export class CheckFailure extends Error {}
/** Thrown by check functions for a tolerated deviation: reported as a warning, the value passes. */
export class CheckWarning extends Error {}

export type Validator =
  | { kind: 'type'; type: TypeName }
  | { kind: 'check'; expected?: TypeName; check: (value: Json) => void }
  /** Messages reported as they are (Patroni's Directory checks). */
  | { kind: 'custom'; run: (value: Json) => string[] }
  | { kind: 'dict'; entries: Entry[] }
  | { kind: 'list'; item?: Validator }
  | { kind: 'or'; options: Validator[] };

export type Entry =
  | { key: 'required' | 'optional'; name: string; validator: Validator }
  /** At least one of the names must be present; each present one is validated by its case. */
  | { key: 'or'; cases: Record<string, Validator> }
  | { key: 'atMostOne'; cases: Record<string, Validator> };

export interface Result {
  ok: boolean;
  error?: string;
  warning?: string;
  level: number;
  path: string;
  /** Python's Result.data; '' when the failure is about a missing key. */
  data: Json;
}

const TYPE_NAMES: Record<TypeName, string> = {
  string: 'a string',
  int: 'an integer',
  bool: 'a boolean',
  list: 'an array',
  dict: 'a dictionary',
};

/** isinstance semantics: Python's bool is an int. */
export function hasType(type: TypeName, v: Json): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'int':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'boolean';
    case 'bool':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v);
    case 'dict':
      return isObject(v);
  }
}

const fail = (error: string, data: Json, level = 0): Result => ({ ok: false, error, level, path: '', data });
const pass = (data: Json): Result => ({ ok: true, level: 0, path: '', data });

function prefixed(r: Result, key: string, data?: Json): Result {
  return { ...r, path: key + (r.path ? `.${r.path}` : ''), data: data === undefined ? r.data : data };
}

/** Python's repr of a tuple of strings, as it appears in "Multiple of (...) provided". */
const pyTuple = (names: string[]) => `(${names.map((n) => `'${n}'`).join(', ')}${names.length === 1 ? ',' : ''})`;

export function validate(validator: Validator, data: Json): Result[] {
  switch (validator.kind) {
    case 'type':
      return [{ ok: hasType(validator.type, data), error: `is not ${TYPE_NAMES[validator.type]}`, level: 1, path: '', data }];
    case 'check':
      if (validator.expected && !hasType(validator.expected, data)) return [fail(`is not ${TYPE_NAMES[validator.expected]}`, data, 1)];
      try {
        validator.check(data);
        return [pass(data)];
      } catch (e) {
        if (e instanceof CheckWarning) return [{ ...pass(data), warning: `didn't pass validation: ${e.message}` }];
        return [fail(`didn't pass validation: ${e instanceof Error ? e.message : String(e)}`, data)];
      }
    case 'custom':
      return validator.run(data).map((m) => fail(m, ''));
    case 'dict':
      return isObject(data) ? iterDict(validator.entries, data) : [fail('is not a dictionary', data, 1)];
    case 'list': {
      if (!Array.isArray(data)) return [fail('is not a list', data, 1)];
      const out: Result[] = data.length === 0 ? [fail('is an empty list', data)] : [];
      const item = validator.item;
      if (item) data.forEach((value, i) => out.push(...validate(item, value).map((r) => prefixed(r, String(i), value))));
      return out;
    }
    case 'or':
      return iterOr(validator.options, data);
  }
}

function iterDict(entries: Entry[], data: { [k: string]: Json }): Result[] {
  const out: Result[] = [];
  const has = (k: string) => Object.prototype.hasOwnProperty.call(data, k);
  for (const entry of entries) {
    let keys: string[];
    let validatorFor: (k: string) => Validator;
    if ('name' in entry) {
      if (!has(entry.name)) {
        if (entry.key === 'required') out.push({ ...fail('is not defined.', ''), path: entry.name });
        continue;
      }
      keys = [entry.name];
      const single = entry.validator;
      validatorFor = () => single;
    } else {
      const cases = entry.cases;
      const names = Object.keys(cases);
      const present = names.filter(has);
      if (entry.key === 'atMostOne' && present.length > 1) {
        out.push(fail(`Multiple of ${pyTuple(names)} provided`, ''));
        continue;
      }
      keys = entry.key === 'or' && present.length === 0 ? names : present;
      validatorFor = (k) => cases[k] as Validator;
    }
    for (const k of keys) {
      if (!has(k)) {
        out.push({ ...fail('is not defined.', ''), path: k });
        continue;
      }
      out.push(...validate(validatorFor(k), data[k] as Json).map((r) => prefixed(r, k)));
    }
  }
  return out;
}

function iterOr(options: Validator[], data: Json): Result[] {
  let results: Result[] = [];
  for (const option of options) {
    const r = validate(option, data);
    const anyOk = r.some((x) => x.ok);
    results = results.concat(anyOk && !r.every((x) => x.ok) ? r.filter((x) => !x.ok) : r);
  }
  if (results.some((x) => x.ok)) return results.filter((x) => x.warning);
  // None matched: report the least specific failures, as Patroni does.
  const out: Result[] = [];
  let maxLevel = 3;
  for (const r of [...results].sort((a, b) => a.level - b.level)) {
    if (r.level > maxLevel) break;
    maxLevel = r.level;
    out.push(r);
  }
  return out;
}
