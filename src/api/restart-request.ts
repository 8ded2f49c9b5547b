// POST /restart body (Patroni's RestApiHandler.do_POST_restart): validation in Patroni's order and texts, the restart filters,
// and the `scheduled_restart` object. Pure. The types are the HA core's (src/ha/core/restart.ts).
import { restartBlocked, type RestartFacts, type RestartFilters, type RestartRole, type RestartSchedule, type ScheduledRestart } from '../ha/core/restart.js';
import { postgresVersionToInt, PostgresVersionError } from '../postgresql/version.js';
import type { Json, JsonObject } from '../util/json.js';
import { parseSchedule } from './schedule.js';
import { parseDuration } from '../config/units.js';

export { postgresVersionToInt, PostgresVersionError };
export type { RestartFacts, RestartFilters, RestartRole, RestartSchedule, ScheduledRestart };

export type RestartRequest =
  | { kind: 'now'; filters: RestartFilters }
  | { kind: 'scheduled'; restart: RestartSchedule }
  | { kind: 'invalid'; code: 400 | 422 | 500; message: string };

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

/** Patroni's restart_matches(): every given filter must hold. */
export function restartMatches(f: RestartFilters, facts: RestartFacts): boolean {
  return restartBlocked(f, facts) === null;
}

/** The `scheduled_restart` object of /patroni and the member key. */
export function scheduledRestartJson(r: RestartSchedule | ScheduledRestart): JsonObject {
  const out: Record<string, Json> = { schedule: r.atIso };
  if (r.role) out.role = r.role;
  if (r.postgresVersion) out.postgres_version = r.postgresVersion;
  if (r.timeoutSeconds !== undefined) out.timeout = r.timeoutSeconds;
  if (r.restartPending) out.restart_pending = true;
  return out;
}
