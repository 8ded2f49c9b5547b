// Self-fencing on the leader lease. etcd expires our lease `ttl` seconds after it last heard a
// keepalive; we count from before we sent it, so when this timer fires the lease is surely gone and
// another node may already be primary. A node frozen (SIGSTOP, VM pause) or stuck on a hung DCS
// request must not go on accepting writes: stop PostgreSQL at once, before waiting on anything else.
import { log } from '../log/logger.js';
import { setLongTimeout, type LongTimer } from '../util/timers.js';

export class LeaseFence {
  private timer: LongTimer | null = null;

  constructor(private readonly fence: () => Promise<void>) {}

  /** The lock was refreshed by a request started at `startedAt`: arm for startedAt + ttl. */
  arm(startedAt: number, ttlSeconds: number, now = Date.now()): void {
    this.disarm();
    const expiry = startedAt + ttlSeconds * 1000;
    // A chained timer: ttl from the DCS may exceed Node's 24.8-day timer limit, and a plain
    // setTimeout would then fire at once and stop a healthy primary.
    this.timer = setLongTimeout(() => {
      this.timer = null;
      log.critical('The leader lease expired %d ms ago without being refreshed: stopping PostgreSQL to avoid a second primary',
        Date.now() - expiry);
      void this.fence().catch((e: unknown) => log.error('Fencing failed: %s', e instanceof Error ? e.message : String(e)));
    }, expiry - now);
  }

  disarm(): void {
    this.timer?.clear();
    this.timer = null;
  }
}
