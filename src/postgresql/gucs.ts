// The server parameters the installed PostgreSQL knows, and Patroni's validation of configured values
// against them (validator.py: transform_postgresql_parameter_value). Patroni reads the list from
// `postgres --describe-config` as well (Postgresql._get_gucs), so a parameter from the DCS that this
// server does not know is dropped with a warning instead of being written to postgresql.conf, where it
// would keep every node from starting. Parsing and validation are pure; running the binary is not.
import { spawnSync } from 'node:child_process';
import { parseBool } from '../util/json.js';
import { childEnv } from '../util/child-env.js';

export type GucType = 'bool' | 'integer' | 'real' | 'string' | 'enum';
export interface GucSpec {
  type: GucType;
  min: number | null;
  max: number | null;
}
export type GucTable = ReadonlyMap<string, GucSpec>;

const TYPES: Record<string, GucType> = { BOOLEAN: 'bool', INTEGER: 'integer', REAL: 'real', STRING: 'string', ENUM: 'enum' };

/** `name\tcontext\tgroup\tTYPE\tdefault\tmin\tmax\t...` lines of `postgres --describe-config`. */
export function parseDescribeConfig(text: string): GucTable {
  const out = new Map<string, GucSpec>();
  for (const line of text.split('\n')) {
    const [name, , , type, , min, max] = line.split('\t');
    const t = type !== undefined ? TYPES[type] : undefined;
    if (!name || !t) continue;
    const num = (s: string | undefined): number | null => (s === undefined || s === '' || !Number.isFinite(Number(s)) ? null : Number(s));
    out.set(name.toLowerCase(), { type: t, min: num(min), max: num(max) });
  }
  return out;
}

const NUMBER_WITH_UNIT = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(B|kB|MB|GB|TB|us|ms|s|min|h|d)?\s*$/;
const HEX_OR_OCTAL = /^\s*0[xX][0-9a-fA-F]+\s*$|^\s*0[0-7]+\s*$/;

export interface ValidatedParameter {
  value: string | null;
  warning: string | null;
}

/** One parameter as Patroni's validator treats it: kept, clamped (numbers without a unit) or removed. */
export function validateParameter(name: string, value: string, gucs: GucTable): ValidatedParameter {
  if (name.includes('.')) return { value, warning: null }; // extension/custom placeholders
  const spec = gucs.get(name);
  if (!spec) return { value: null, warning: `Removing unexpected parameter=${name} value=${value} from the config` };
  switch (spec.type) {
    case 'bool':
      return parseBool(value) !== undefined
        ? { value, warning: null }
        : { value: null, warning: `Removing bool parameter=${name} from the config due to the invalid value=${value}` };
    case 'integer':
    case 'real': {
      const m = NUMBER_WITH_UNIT.exec(value);
      if (!m && !(spec.type === 'integer' && HEX_OR_OCTAL.test(value))) {
        return { value: null, warning: `Removing ${spec.type} parameter=${name} from the config due to the invalid value=${value}` };
      }
      // With a unit the server converts to its own base unit, which describe-config does not name: the
      // range is left to PostgreSQL. Without one the value is in the base unit and clamped like Patroni.
      if (!m || m[2] !== undefined) return { value, warning: null };
      const n = Number(m[1]);
      if (spec.type === 'integer' && !Number.isInteger(n)) {
        return { value: null, warning: `Removing integer parameter=${name} from the config due to the invalid value=${value}` };
      }
      if (spec.min !== null && n < spec.min)
        return { value: String(spec.min), warning: `Value=${value} of parameter=${name} is too low, increasing to ${spec.min}` };
      if (spec.max !== null && n > spec.max)
        return { value: String(spec.max), warning: `Value=${value} of parameter=${name} is too big, decreasing to ${spec.max}` };
      return { value, warning: null };
    }
    default:
      return { value, warning: null };
  }
}

/** Run `postgres --describe-config` once per binary; null when it cannot be run (no validation then). */
const cache = new Map<string, GucTable | null>();
export function availableGucs(postgresBinary: string): GucTable | null {
  if (!cache.has(postgresBinary)) {
    const r = spawnSync(postgresBinary, ['--describe-config'], { encoding: 'utf8', timeout: 30_000, env: childEnv(), maxBuffer: 16 * 1024 * 1024 });
    cache.set(postgresBinary, r.status === 0 && r.stdout ? parseDescribeConfig(r.stdout) : null);
  }
  return cache.get(postgresBinary) ?? null;
}
