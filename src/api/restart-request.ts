// POST /restart body (rest-api.md §13): validation in Patroni's order and texts, the restart filters,
// and the `scheduled_restart` object. Pure.
import type { Json, JsonObject } from '../util/json.js';
import { parseSchedule } from './schedule.js';
import { parseDuration } from '../config/units.js';

export type RestartRole = 'primary' | 'standby_leader' | 'replica';

export interface RestartFilters {
  role?: RestartRole;
  /** `X.Y` (>= 10) or `X.Y.Z`: restart only when the running server is older. */
  postgresVersion?: string;
  timeoutSeconds?: number;
  /** The body named `restart_pending`: restart only when Postgres has a pending restart. */
  restartPending: boolean;
}

export interface ScheduledRestart extends RestartFilters {
  at: Date;
  /** Python isoformat of the requested time, offset kept (shown in /patroni). */
  atIso: string;
}

export type RestartRequest =
  | { kind: 'now'; filters: RestartFilters }
  | { kind: 'scheduled'; restart: ScheduledRestart }
  | { kind: 'invalid'; code: 400 | 422 | 500; message: string };

export class PostgresVersionError extends Error {}

/** Patroni's postgres_version_to_int: `10.1` -> 100001, `9.6.3` -> 90603. Throws PostgresVersionError. */
export function postgresVersionToInt(version: string): number {
  const format = `Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${version}`;
  const parts = version.split('.');
  if (!parts.every((p) => /^\s*[-+]?\d+\s*$/.test(p))) throw new PostgresVersionError(format);
  const nums = parts.map((p) => Number.parseInt(p, 10));
  const [major = 0] = nums;
  if (nums.length < 2 || (nums.length === 2 && major < 10) || nums.length > 3) throw new PostgresVersionError(format);
  if (nums.length === 2) nums.splice(1, 0, 0);
  // Python formats each part with {:02d}; a negative part makes the joined text unparsable.
  if (nums.some((n) => n < 0)) throw new PostgresVersionError(`Invalid PostgreSQL version: ${version}`);
  return Number(nums.map((n) => String(n).padStart(2, '0')).join(''));
}

const ROLES: ReadonlySet<string> = new Set(['primary', 'standby_leader', 'replica']);

export function parseRestartRequest(body: JsonObject, paused: boolean, now: Date): RestartRequest {
  if (paused && 'schedule' in body) return { kind: 'invalid', code: 500, message: "Can't schedule restart in the paused state" };
  const filters: RestartFilters = { restartPending: false };
  let schedule: { at: Date; iso: string } | null = null;
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'schedule': {
        const s = parseSchedule(value, 'restart', now);
        if (s.kind === 'invalid') return s;
        schedule = { at: s.at, iso: s.iso };
        break;
      }
      case 'role':
        if (typeof value !== 'string' || !ROLES.has(value)) {
          return { kind: 'invalid', code: 400, message: 'PostgreSQL role should be either primary, standby_leader, or replica' };
        }
        filters.role = value as RestartRole;
        break;
      case 'postgres_version': {
        const text = typeof value === 'string' ? value : String(value);
        try {
          postgresVersionToInt(text);
        } catch (e) {
          if (e instanceof PostgresVersionError) return { kind: 'invalid', code: 400, message: e.message };
          throw e;
        }
        filters.postgresVersion = text;
        break;
      }
      case 'timeout': {
        const seconds = parseDuration(value);
        if (seconds === undefined || seconds <= 0) return { kind: 'invalid', code: 400, message: 'Timeout should be a positive number of seconds' };
        filters.timeoutSeconds = seconds;
        break;
      }
      case 'restart_pending':
        filters.restartPending = true;
        break;
      default:
        return { kind: 'invalid', code: 400, message: `Unknown filter for the scheduled restart: ${key}` };
    }
  }
  return schedule ? { kind: 'scheduled', restart: { ...filters, at: schedule.at, atIso: schedule.iso } } : { kind: 'now', filters };
}

export interface RestartFacts {
  /** Patroni's role of this node: primary, replica, standby_leader... */
  role: string;
  /** server_version as an int (e.g. 150004); 0 when unknown. */
  serverVersion: number;
  pendingRestart: boolean;
}

/** Patroni's restart_matches(): every given filter must hold. */
export function restartMatches(f: RestartFilters, facts: RestartFacts): boolean {
  if (f.role && f.role !== facts.role) return false;
  if (f.postgresVersion && postgresVersionToInt(f.postgresVersion) <= facts.serverVersion) return false;
  if (f.restartPending && !facts.pendingRestart) return false;
  return true;
}

/** The `scheduled_restart` object of /patroni and the member key. */
export function scheduledRestartJson(r: ScheduledRestart): JsonObject {
  const out: Record<string, Json> = { schedule: r.atIso };
  if (r.role) out.role = r.role;
  if (r.postgresVersion) out.postgres_version = r.postgresVersion;
  if (r.timeoutSeconds !== undefined) out.timeout = r.timeoutSeconds;
  if (r.restartPending) out.restart_pending = true;
  return out;
}
