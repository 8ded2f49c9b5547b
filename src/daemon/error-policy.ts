// One policy for errors nobody caught. Node's default (exit on an unhandled rejection) would leave a
// primary's PostgreSQL running unmanaged with its lease fence gone: once ttl passes a replica promotes
// beside it. So the daemon logs the error with its context and keeps running: its HA loop and lease
// fence are independent of whatever callback failed, and a loop that can no longer cycle is caught
// by the fence (PostgreSQL stopped before the lease can expire elsewhere) or by main's loop guard.
import { log } from '../log/logger.js';

export const describeError = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));

export interface ErrorPolicyStats {
  unhandledRejections: number;
  uncaughtExceptions: number;
}

/** Install the process-wide handlers (once, at daemon start). Returns live counters. */
export function installErrorPolicy(proc: NodeJS.Process = process): ErrorPolicyStats {
  const stats: ErrorPolicyStats = { unhandledRejections: 0, uncaughtExceptions: 0 };
  proc.on('unhandledRejection', (reason: unknown) => {
    stats.unhandledRejections++;
    log.error('Unhandled promise rejection, please report it as a BUG (the daemon keeps running): %s', describeError(reason));
  });
  proc.on('uncaughtException', (err: Error, origin: string) => {
    stats.uncaughtExceptions++;
    log.error('Uncaught exception (%s), please report it as a BUG (the daemon keeps running): %s', origin, describeError(err));
  });
  return stats;
}
