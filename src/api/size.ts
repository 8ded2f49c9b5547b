// Patroni's parse_int(value, 'B'): the size parser behind `?lag=` on health checks and /readiness.
// C strtol integer prefix (0x hex, leading-0 octal), falling back to strtod for `1.5MB` / `1e3`, then an
// optional case-sensitive unit; anything else is unparsable (undefined).

const HEX_RE = /^[-+]?0x[0-9a-fA-F]+/;
const OCT_RE = /^[-+]?0[0-7]*/;
const DEC_RE = /^[-+]?(0|[1-9][0-9]*)/;
const DBL_RE = /^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?/;

const BYTES: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
/** Python rounds a converted value to whole units of the next smaller unit. */
const ROUND_TO: Record<string, string> = { TB: 'GB', GB: 'MB', MB: 'kB', kB: 'B' };

/** Python's round(): half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(r - v) === 0.5 ? 2 * Math.round(v / 2) : r;
}

function strtol(text: string): { value: number | null; rest: string } {
  for (const [re, base] of [
    [HEX_RE, 16],
    [OCT_RE, 8],
    [DEC_RE, 10],
  ] as const) {
    const m = re.exec(text);
    if (m) {
      const digits = m[0].replace(/^([-+]?)0x/, '$1');
      return { value: Number.parseInt(digits, base), rest: text.slice(m[0].length) };
    }
  }
  return { value: null, rest: text };
}

function strtod(text: string): { value: number | null; rest: string } {
  const m = DBL_RE.exec(text);
  return m ? { value: Number.parseFloat(m[0]), rest: text.slice(m[0].length) } : { value: null, rest: text };
}

/** Bytes for a size such as `16MB`, `0x400 kB`, `010` (octal 8), `1.5MB`; undefined when unparsable. */
export function parseSize(input: string): number | undefined {
  const text = input.trim();
  let { value, rest } = strtol(text);
  if ((value === null && rest.startsWith('.')) || (rest !== '' && ['.', 'e', 'E'].includes(rest[0] ?? ''))) {
    ({ value, rest } = strtod(text));
  }
  if (value === null) return undefined;
  const unit = rest.trim();
  if (unit === '') return roundHalfEven(value);
  const factor = BYTES[unit];
  if (factor === undefined) return undefined;
  let bytes = value * factor;
  const smaller = ROUND_TO[unit];
  if (smaller !== undefined) {
    const step = BYTES[smaller] ?? 1;
    bytes = roundHalfEven(bytes / step) * step;
  }
  return roundHalfEven(bytes);
}
