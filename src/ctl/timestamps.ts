// Time texts of patronictl (ctl.timestamp, ctl.parse_scheduled): event timestamps, the `now + 1h` prompt
// example and the lenient `--scheduled` parser (naive times are local, like dateutil + tzlocal()).
import { CtlError } from './errors.js';

const p2 = (n: number) => String(n).padStart(2, '0');

function localDate(d: Date): string {
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
}

/** `YYYY-MM-DD HH:MM:SS.fffff`: Python's `%f` microseconds with the last digit cut. */
export function eventTimestamp(nowMicros = Math.floor((performance.timeOrigin + performance.now()) * 1000)): string {
  const d = new Date(Math.floor(nowMicros / 1000));
  const micros = String(nowMicros % 1_000_000).padStart(6, '0');
  return `${localDate(d)} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${micros.slice(0, 5)}`;
}

/** Local now + 1 hour as `YYYY-MM-DDTHH:MM` (the example in the "When should..." prompts). */
export function nextHourExample(now = new Date()): string {
  const d = new Date(now.getTime() + 3_600_000);
  return `${localDate(d)}T${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

/** A point in time with the UTC offset it was given in (isoformat shows it back). */
export interface Scheduled {
  at: Date;
  /** Python `datetime.isoformat()`, e.g. `2023-09-13T18:00:00-03:00`. */
  iso: string;
  /** Python `str(datetime)`: the same with a space instead of `T`. */
  str: string;
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}

const RE = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

/** `--scheduled` / prompt answer: null for `now` or empty, else the parsed time. */
export function parseScheduled(value: string | undefined): Scheduled | null {
  if (value === undefined || (value || 'now') === 'now') return null;
  const m = RE.exec(value);
  const fail = () => new CtlError(`Unable to parse scheduled timestamp (${value}). It should be in an unambiguous format (e.g. ISO 8601)`);
  if (!m) throw fail();
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const frac = (m[7] ?? '').padEnd(6, '0');
  const micros = Number(frac);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) throw fail();
  const tz = m[8];
  let offset: number;
  let at: Date;
  if (tz === undefined) {
    at = new Date(y, mo - 1, d, h, mi, s, Math.floor(micros / 1000));
    if (at.getDate() !== d) throw fail();
    offset = -at.getTimezoneOffset();
  } else {
    const t = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
    offset = t ? (t[1] === '-' ? -1 : 1) * (Number(t[2]) * 60 + Number(t[3] ?? 0)) : 0;
    at = new Date(Date.UTC(y, mo - 1, d, h, mi, s, Math.floor(micros / 1000)) - offset * 60_000);
  }
  const time = `${p2(h)}:${p2(mi)}:${p2(s)}${micros ? '.' + frac : ''}`;
  const date = `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}`;
  return { at, iso: `${date}T${time}${offsetText(offset)}`, str: `${date} ${time}${offsetText(offset)}` };
}
