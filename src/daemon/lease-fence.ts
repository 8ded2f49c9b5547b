// Self-fencing on the leader lease. etcd expires our lease `ttl` seconds after it last heard a
// keepalive, and it heard it after we sent it: counting from the send time of the last acknowledged
// keepalive, the lease cannot expire before sentAt + ttl. The fence fires a margin earlier
// (fenceMarginMs), so PostgreSQL is being stopped before any other node can take the leader key. A
// node frozen (SIGSTOP, VM pause) or stuck on a hung DCS request must not go on accepting writes:
// stop PostgreSQL at once, before waiting on anything else.
//
// Why ttl can be small (README "Small TTLs"): the lease is renewed every ttl/3 by its own timer,
// not by the HA cycle, so the cycle's length does not matter; two renewals can fail (or be 1 s late)
// before the fence acts, and the margin covers an immediate stop and a late timer.
import { log } from '../log/logger.js';
import { setLongTimeout, type LongTimer } from '../util/timers.js';

/** How long before the earliest possible lease expiry the fence stops PostgreSQL: ttl/6, 1-2 s. */
export function fenceMarginMs(ttlSeconds: number): number {
  return Math.min(2000, Math.max(1000, (ttlSeconds * 1000) / 6));
}

export class LeaseFence {
  private timer: LongTimer | null = null;

  constructor(private readonly fence: () => Promise<void>) {}

  /** The lease was renewed by a request sent at `startedAt`: arm for startedAt + ttl - margin. */
  arm(startedAt: number, ttlSeconds: number, now = Date.now()): void {
    this.disarm();
    const expiry = startedAt + ttlSeconds * 1000;
    const fireAt = expiry - fenceMarginMs(ttlSeconds);
    // A chained timer: ttl from the DCS may exceed Node's 24.8-day timer limit, and a plain
    // setTimeout would then fire at once and stop a healthy primary.
    this.timer = setLongTimeout(
      () => {
        this.timer = null;
        log.critical('The leader lease was not renewed and can expire in %d ms: stopping PostgreSQL to avoid a second primary', expiry - Date.now());
        void this.fence().catch((e: unknown) => log.error('Fencing failed: %s', e instanceof Error ? e.message : String(e)));
      },
      Math.max(0, fireAt - now),
    );
  }

  disarm(): void {
    this.timer?.clear();
    this.timer = null;
  }
}
