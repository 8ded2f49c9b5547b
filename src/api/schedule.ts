// Timestamps of scheduled switchovers and restarts (Patroni's parse_schedule). Pure: `now` comes in.
// Patroni uses dateutil's lenient parser; we accept the ISO-8601-like forms clients actually send.
import { pyIsoformat } from './iso.js';

export type ScheduleResult =
  | { kind: 'ok'; at: Date /** Python isoformat of the parsed value, original offset kept. */; iso: string }
  | { kind: 'invalid'; code: 400 | 422; message: string };

const RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export const UNPARSABLE = 'Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601';

/** Offset in minutes east of UTC, or null when absent. */
function offsetMinutes(tz: string | undefined): number | null {
  if (!tz) return null;
  if (tz.toUpperCase() === 'Z') return 0;
  const digits = tz.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return tz.startsWith('-') ? -minutes : minutes;
}

function inRange(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

export function parseSchedule(value: unknown, action: 'switchover' | 'restart', now: Date): ScheduleResult {
  const m = typeof value === 'string' ? RE.exec(value.trim()) : null;
  if (!m) return { kind: 'invalid', code: 422, message: UNPARSABLE };
  const [, y, mo, d, hh = '0', mi = '0', ss = '0', frac = '', tz] = m;
  const parts = [Number(y), Number(mo), Number(d), Number(hh), Number(mi), Number(ss)] as const;
  const valid = inRange(parts[1], 1, 12) && inRange(parts[2], 1, 31) && inRange(parts[3], 0, 23) && inRange(parts[4], 0, 59) && inRange(parts[5], 0, 59);
  const offset = offsetMinutes(tz);
  if (!valid || (offset !== null && Math.abs(offset) >= 24 * 60)) return { kind: 'invalid', code: 422, message: UNPARSABLE };
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5], ms);
  if (new Date(local).getUTCDate() !== parts[2]) return { kind: 'invalid', code: 422, message: UNPARSABLE }; // Feb 30th
  if (offset === null) return { kind: 'invalid', code: 400, message: `Timezone information is mandatory for the scheduled ${action}` };
  const at = new Date(local - offset * 60_000);
  if (at.getTime() < now.getTime()) return { kind: 'invalid', code: 422, message: `Cannot schedule ${action} in the past` };
  const text = (value as string).trim();
  const iso = pyIsoformat(m[4] === undefined ? `${y}-${mo}-${d}T00:00${text.slice(10)}` : text);
  return { kind: 'ok', at, iso };
}
