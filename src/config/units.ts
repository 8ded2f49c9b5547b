// Postgres-style numbers with units ("30min", "16MB", "0x400"), parsed like Patroni's
// utils.parse_int so dynamic config values and validator checks agree with Python.

const TIME: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400 };
const SIZE: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
// Units are rounded to the next smaller unit before converting, as Postgres does.
const ROUND_TO: Record<string, string> = { TB: 'GB', GB: 'MB', MB: 'kB', kB: 'B', d: 'h', h: 'min', min: 's', s: 'ms', ms: 'us' };

function unitTable(unit: string): Record<string, number> | undefined {
  if (unit in TIME) return TIME;
  if (unit in SIZE) return SIZE;
  return undefined;
}

/** strtol(3) with base 0 on the leading part; returns the number and the rest. */
function strtol(text: string): { value: number | undefined; rest: string } {
  const s = text.trim();
  const m = /^[+-]?0[xX][0-9a-fA-F]+/.exec(s) ?? /^[+-]?0[0-7]+/.exec(s) ?? /^[+-]?\d+/.exec(s);
  if (!m) return { value: undefined, rest: s };
  const lit = m[0];
  const neg = lit.startsWith('-');
  const body = lit.replace(/^[+-]/, '');
  let value: number;
  if (/^0[xX]/.test(body)) value = Number.parseInt(body.slice(2), 16);
  else if (/^0[0-7]+$/.test(body)) value = Number.parseInt(body.slice(1), 8);
  else value = Number.parseInt(body, 10);
  return { value: neg ? -value : value, rest: s.slice(lit.length) };
}

function strtod(text: string): { value: number | undefined; rest: string } {
  const s = text.trim();
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s);
  if (!m) return { value: undefined, rest: s };
  return { value: Number.parseFloat(m[0]), rest: s.slice(m[0].length) };
}

/** Python's rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Convert `value unit` into `baseUnit` ("s", "ms", "kB", "16MB", ...); undefined if incompatible. */
export function convertToBaseUnit(value: number, unit: string, baseUnit: string): number | undefined {
  let baseValue = 1;
  let base = baseUnit;
  if (!unitTable(base)) {
    const parsed = strtol(base);
    baseValue = parsed.value ?? 1;
    base = parsed.rest;
  }
  const table = unitTable(base);
  if (!table || table !== unitTable(unit)) return undefined;
  const factor = table[unit] as number;
  const baseFactor = table[base] as number;
  let result = (value * factor) / baseFactor / baseValue;
  const smaller = ROUND_TO[unit];
  if (smaller !== undefined) {
    const multiplier = (table[smaller] as number) / baseFactor;
    result = rint(result / multiplier) * multiplier;
  }
  return result;
}

/**
 * Patroni's parse_int: integers (also hex/octal, or a float that gets rounded) with an optional unit
 * converted into baseUnit. Booleans are not numbers here (Python's str(True) is not numeric).
 */
export function parseIntWithUnit(value: unknown, baseUnit?: string): number | undefined {
  if (typeof value === 'boolean' || value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? rint(value) : undefined;
  if (typeof value !== 'string') return undefined;
  let { value: val, rest } = strtol(value);
  if ((val === undefined && rest.startsWith('.')) || (rest !== '' && ['.', 'e', 'E'].includes(rest[0] as string))) {
    ({ value: val, rest } = strtod(value));
  }
  if (val === undefined) return undefined;
  const unit = rest.trim();
  if (!unit) return rint(val);
  if (!baseUnit) return undefined;
  const converted = convertToBaseUnit(val, unit, baseUnit);
  return converted === undefined ? undefined : rint(converted);
}

/** Seconds from "30min", "1h", "90" (plain numbers are seconds). */
export function parseDuration(value: unknown): number | undefined {
  return parseIntWithUnit(value, 's');
}

/** Bytes from "16MB", "1GB", "1024" (plain numbers are bytes). */
export function parseSize(value: unknown): number | undefined {
  return parseIntWithUnit(value, 'B');
}
