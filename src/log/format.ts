// Python logging's formatting, so `log.format`, `log.dateformat` and `log.type: json` print what
// Patroni prints: %-style fields with flags, width and precision (`%(levelname)-8s`), time.strftime
// in the C locale, logging.Formatter.formatTime, and python-json-logger's JsonFormatter.
import { pyJson } from '../util/py-json.js';

/** The attributes of a Python LogRecord that a format may name. */
export interface LogRecord {
  name: string;
  levelname: string;
  levelno: number;
  msg: string;
  message: string;
  /** Seconds since the epoch (float). */
  created: number;
  msecs: number;
  relativeCreated: number;
  pathname: string;
  filename: string;
  module: string;
  funcName: string;
  lineno: number;
  process: number;
  processName: string;
  thread: number;
  threadName: string;
  /** Set by the formatter when the format names it. */
  asctime?: string;
  exc_text?: string | null;
}

type Value = string | number | null | undefined;

/** Python's str(): floats keep a decimal point, None is "None". */
export function pyStr(v: Value): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return pyNumberStr(v);
  return v;
}

// Integers and floats are one JS type; record fields that Python keeps as floats are listed here,
// and `floatContext` says which one is being printed.
const FLOAT_FIELDS = new Set(['created', 'msecs', 'relativeCreated']);
let floatContext = false;

function pyNumberStr(v: number): string {
  if (!floatContext) return String(Math.trunc(v));
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const s = String(v);
  if (/e/.test(s)) return s.replace(/e([+-])(\d)$/, 'e$10$2');
  return s.includes('.') ? s : `${s}.0`;
}

/** Python's repr() of a string or number. */
function pyRepr(v: Value): string {
  if (typeof v !== 'string') return pyStr(v);
  const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
  const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

interface Spec {
  flags: string;
  width?: number;
  precision?: number;
  conv: string;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  const width = spec.width ?? 0;
  if (text.length >= width) return text;
  if (spec.flags.includes('-')) return text.padEnd(width);
  if (numeric && spec.flags.includes('0')) {
    const sign = /^[+\- ]/.test(text) ? (text[0] as string) : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}

function signed(text: string, negative: boolean, flags: string): string {
  if (negative) return `-${text}`;
  if (flags.includes('+')) return `+${text}`;
  if (flags.includes(' ')) return ` ${text}`;
  return text;
}

function convert(v: Value, spec: Spec, field: string): string {
  floatContext = FLOAT_FIELDS.has(field);
  try {
    switch (spec.conv) {
      case 's':
      case 'r':
      case 'a': {
        const text = spec.conv === 's' ? pyStr(v) : pyRepr(v);
        return pad(spec.precision === undefined ? text : text.slice(0, spec.precision), spec, false);
      }
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        if (typeof v !== 'number') throw new TypeError(`%${spec.conv} format: a real number is required, not ${typeof v === 'string' ? 'str' : 'NoneType'}`);
        const n = Math.trunc(v);
        const base = spec.conv === 'x' || spec.conv === 'X' ? 16 : spec.conv === 'o' ? 8 : 10;
        let digits = Math.abs(n).toString(base);
        if (spec.conv === 'X') digits = digits.toUpperCase();
        if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
        if (spec.flags.includes('#') && base !== 10) digits = (spec.conv === 'o' ? '0o' : spec.conv === 'X' ? '0X' : '0x') + digits;
        return pad(signed(digits, n < 0, spec.flags), spec, true);
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (typeof v !== 'number') throw new TypeError('must be real number, not str');
        const p = spec.precision ?? 6;
        const a = Math.abs(v);
        let text: string;
        if (spec.conv === 'f' || spec.conv === 'F') text = a.toFixed(p);
        else if (spec.conv === 'e' || spec.conv === 'E') text = a.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
        else text = String(Number(a.toPrecision(p || 1)));
        if (spec.conv === spec.conv.toUpperCase()) text = text.toUpperCase();
        return pad(signed(text, v < 0, spec.flags), spec, true);
      }
      case 'c':
        return pad(typeof v === 'number' ? String.fromCodePoint(v) : pyStr(v), spec, false);
      default:
        return '';
    }
  } finally {
    floatContext = false;
  }
}

const SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\d+)?(?:\.(\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** The field names a %-style format uses, in order (python-json-logger's parse()). */
export function formatFields(fmt: string): string[] {
  return [...fmt.matchAll(/%\((.+?)\)/g)].map((m) => m[1] as string);
}

/** `fmt % record.__dict__`; a field the record lacks is left as written. */
export function percentFormat(fmt: string, fields: Readonly<Record<string, Value>>): string {
  return fmt.replace(SPEC, (whole, key: string | undefined, flags: string, width?: string, precision?: string, conv?: string) => {
    if (conv === '%') return '%';
    if (key === undefined || !(key in fields)) return whole;
    const spec: Spec = { flags, conv: conv as string, ...(width ? { width: Number(width) } : {}), ...(precision ? { precision: Number(precision) } : {}) };
    return convert(fields[key], spec, key);
  });
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

function dayOfYear(d: Date): number {
  return Math.round((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(d.getFullYear(), 0, 1)) / 86_400_000) + 1;
}

function weekOfYear(d: Date, firstDay: 0 | 1): number {
  const wday = (d.getDay() + 7 - firstDay) % 7;
  return Math.floor((dayOfYear(d) - 1 - wday + 7) / 7);
}

function tzName(d: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName');
  const name = part?.value ?? 'UTC';
  return name === 'GMT' && d.getTimezoneOffset() === 0 ? 'UTC' : name;
}

/** time.strftime(fmt, time.localtime(...)) in the C locale; unknown codes stay as written (glibc). */
export function strftime(fmt: string, d: Date): string {
  const hour12 = d.getHours() % 12 || 12;
  const off = -d.getTimezoneOffset();
  const codes: Record<string, () => string> = {
    a: () => (DAYS[d.getDay()] as string).slice(0, 3),
    A: () => DAYS[d.getDay()] as string,
    b: () => (MONTHS[d.getMonth()] as string).slice(0, 3),
    h: () => (MONTHS[d.getMonth()] as string).slice(0, 3),
    B: () => MONTHS[d.getMonth()] as string,
    c: () => strftime('%a %b %e %H:%M:%S %Y', d),
    x: () => strftime('%m/%d/%y', d),
    X: () => strftime('%H:%M:%S', d),
    D: () => strftime('%m/%d/%y', d),
    T: () => strftime('%H:%M:%S', d),
    F: () => strftime('%Y-%m-%d', d),
    R: () => strftime('%H:%M', d),
    d: () => p2(d.getDate()),
    e: () => p2(d.getDate(), 2, ' '),
    H: () => p2(d.getHours()),
    I: () => p2(hour12),
    j: () => p2(dayOfYear(d), 3),
    m: () => p2(d.getMonth() + 1),
    M: () => p2(d.getMinutes()),
    p: () => (d.getHours() < 12 ? 'AM' : 'PM'),
    S: () => p2(d.getSeconds()),
    U: () => p2(weekOfYear(d, 0)),
    W: () => p2(weekOfYear(d, 1)),
    w: () => String(d.getDay()),
    y: () => p2(d.getFullYear() % 100),
    Y: () => String(d.getFullYear()),
    C: () => p2(Math.floor(d.getFullYear() / 100)),
    z: () => `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`,
    Z: () => tzName(d),
    s: () => String(Math.floor(d.getTime() / 1000)),
    n: () => '\n',
    t: () => '\t',
    '%': () => '%',
  };
  return fmt.replace(/%(.)/gs, (whole, c: string) => codes[c]?.() ?? whole);
}

/** logging.Formatter.formatTime: strftime(datefmt), else `%Y-%m-%d %H:%M:%S,mmm`. */
export function formatTime(created: number, datefmt?: string): string {
  const d = new Date(Math.floor(created * 1000));
  if (datefmt) return strftime(datefmt, d);
  return `${strftime('%Y-%m-%d %H:%M:%S', d)},${p2(Math.floor((created * 1000) % 1000), 3)}`;
}

function recordFields(r: LogRecord): Record<string, Value> {
  return { ...r } as unknown as Record<string, Value>;
}

/** logging.Formatter(fmt, datefmt).format(record), with the traceback appended after a newline. */
export function formatPlain(r: LogRecord, fmt: string, datefmt?: string): string {
  const rec: LogRecord = { ...r };
  if (fmt.includes('%(asctime)')) rec.asctime = formatTime(r.created, datefmt);
  const line = percentFormat(fmt, recordFields(rec));
  return r.exc_text ? `${line}\n${r.exc_text}` : line;
}

export interface JsonFormat {
  /** The %-style template naming the fields (Patroni joins a list format into one). */
  fmt: string;
  rename: Readonly<Record<string, string>>;
  staticFields: Readonly<Record<string, unknown>>;
}

/** Patroni's _get_json_formatter: a string, or a list of field names and {field: new_name} maps. */
export function jsonFormatOf(format: unknown, staticFields: Readonly<Record<string, unknown>> = {}): JsonFormat {
  const dflt = '%(asctime)s %(levelname)s: %(message)s';
  if (typeof format === 'string') return { fmt: format, rename: {}, staticFields };
  if (!Array.isArray(format)) return { fmt: dflt, rename: {}, staticFields };
  const fields: string[] = [];
  const rename: Record<string, string> = {};
  for (const item of format) {
    if (typeof item === 'string') fields.push(item);
    else if (typeof item === 'object' && item !== null) {
      for (const [from, to] of Object.entries(item as Record<string, unknown>)) {
        if (typeof to !== 'string') continue;
        fields.push(from);
        rename[from] = to;
      }
    }
  }
  return { fmt: fields.length ? fields.map((f) => `%(${f})s`).join(' ') : dflt, rename, staticFields };
}

/** python-json-logger's JsonFormatter: named fields in order (renamed), then static fields, then exc_info. */
export function formatJson(r: LogRecord, jf: JsonFormat, datefmt?: string): string {
  const fields = formatFields(jf.fmt);
  const rec: Record<string, Value> = recordFields(r);
  if (fields.includes('asctime')) rec.asctime = formatTime(r.created, datefmt);
  const out: Record<string, unknown> = {};
  const name = (k: string) => jf.rename[k] ?? k;
  for (const f of fields) {
    const v = rec[f];
    out[name(f)] = typeof v === 'number' && FLOAT_FIELDS.has(f) ? new PyFloat(v) : (v ?? null);
  }
  for (const [k, v] of Object.entries(jf.staticFields)) out[name(k)] = v;
  if (r.exc_text) out[name('exc_info')] = r.exc_text;
  return pyJsonAscii(out);
}

/** A number Python holds as a float (json.dumps prints 123.0, not 123). */
class PyFloat {
  constructor(readonly value: number) {}
}

/** json.dumps(..., ensure_ascii=True) with Python's default separators. */
function pyJsonAscii(v: unknown): string {
  if (v instanceof PyFloat) {
    floatContext = true;
    try {
      return pyNumberStr(v.value).replace('inf', 'Infinity').replace('nan', 'NaN');
    } finally {
      floatContext = false;
    }
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyJsonAscii(k)}: ${pyJsonAscii(x)}`)
      .join(', ')}}`;
  }
  if (Array.isArray(v)) return `[${v.map(pyJsonAscii).join(', ')}]`;
  return pyJson(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
