// This node's etcd lease: the leader and member keys are bound to it, so they vanish `ttl` seconds
// after the node stops refreshing. Granted on first need (by the HA cycle), then kept alive by its
// own timer every keepalive interval while the HA cycle vouches for it (holdUntil): a long cycle, or
// a ttl smaller than loop_wait, never lets it lapse; a hung cycle still loses it.
import { log } from '../log/logger.js';
import { isObject } from '../util/json.js';
import type { LeaseHold } from './dcs.js';
import type { Etcd3Client } from './etcd3-client.js';
import { LeaseNotFound } from './etcd3-errors.js';

/**
 * Seconds between keepalives: ttl/3 (as etcd's own clients do) so one lost keepalive never costs the
 * lease, but no more often than Patroni refreshes (once per loop_wait): same DCS load at ttl 30 / 10.
 */
export function keepaliveInterval(ttl: number, loopWait: number): number {
  return Math.min(loopWait, ttl / 3);
}

export class LeaseKeeper implements LeaseHold {
  private id: string | undefined;
  /** Send time of the last keepalive or grant etcd acknowledged: the lease lasts >= ttl from it. */
  private sentAt = 0;
  /** Serializes grant/keepalive so concurrent callers never grant two leases. */
  private chain: Promise<unknown> = Promise.resolve();
  private holdUntilMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private retryAt = 0;
  private readonly listeners: ((sentAt: number) => void)[] = [];

  /** `onTimerFailure` wakes the HA cycle: it retries the keepalive itself and steps down if the DCS is gone. */
  constructor(
    private readonly client: Pick<Etcd3Client, 'call' | 'deadline'>,
    private ttl: number,
    private loopWait: number,
    private readonly onTimerFailure: () => void = () => undefined,
  ) {}

  get lease(): string | undefined {
    return this.id;
  }

  private get intervalMs(): number {
    return keepaliveInterval(this.ttl, this.loopWait) * 1000;
  }

  /** Forget the lease (ttl changed, or etcd said it is gone): the next refresh grants a new one. */
  drop(): void {
    this.id = undefined;
    this.sentAt = 0;
  }

  setTimeouts(ttl: number, loopWait: number): void {
    if (ttl !== this.ttl) this.drop();
    this.ttl = ttl;
    this.loopWait = loopWait;
    this.schedule();
  }

  lastRefreshSentAt(): number {
    return this.sentAt;
  }

  onRefreshed(cb: (sentAt: number) => void): void {
    this.listeners.push(cb);
  }

  holdUntil(until: number | null): void {
    this.holdUntilMs = until ?? 0;
    this.schedule();
  }

  /** Keepalive (or grant) unless one was acknowledged within the keepalive interval; `force` always refreshes. Returns the lease id. */
  async refresh(force: boolean, deadline: number): Promise<string> {
    const id = await this.serialized(() => this.doRefresh(force, deadline, true));
    if (id === undefined) throw new Error('lease grant skipped'); // unreachable: mayGrant
    return id;
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Listeners hear only renewals of the lease our keys are on; a grant is a new lease the cycle has
   * still to put keys on (its caller arms from lastRefreshSentAt() once the keys are there).
   */
  private async doRefresh(force: boolean, deadline: number, mayGrant: boolean): Promise<string | undefined> {
    if (!force && this.id && this.sentAt + this.intervalMs > Date.now()) return this.id;
    const sentAt = Date.now();
    let renewed = false;
    if (this.id) {
      try {
        const reply = await this.client.call('/lease/keepalive', { ID: this.id }, deadline);
        const result = isObject(reply.result) ? reply.result : reply;
        // A lease that expired comes back without TTL.
        if (result.TTL === undefined || result.TTL === '0') {
          log.warning('Lease %s expired in etcd, granting a new one', this.id);
          this.drop();
        } else {
          renewed = true;
        }
      } catch (e) {
        if (!(e instanceof LeaseNotFound)) throw e;
        this.drop();
      }
    }
    if (!this.id) {
      if (!mayGrant) return undefined;
      const reply = await this.client.call('/lease/grant', { TTL: this.ttl }, deadline);
      if (reply.ID === undefined) throw new Error(`lease grant returned no ID: ${JSON.stringify(reply)}`);
      this.id = String(reply.ID);
    }
    this.sentAt = sentAt;
    if (renewed) for (const cb of this.listeners) cb(sentAt);
    this.schedule();
    return this.id;
  }

  /** Next timer keepalive: one interval after the last acknowledged one, while the hold lasts. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Only an existing lease is kept alive here: a new one needs the cycle to re-publish keys on it.
    if (!this.id || this.holdUntilMs === 0) return;
    const due = Math.max(this.sentAt + this.intervalMs, this.retryAt);
    if (due >= this.holdUntilMs) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, due - Date.now()));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (Date.now() >= this.holdUntilMs || !this.id) return;
    try {
      // Past sentAt + ttl the lease is gone anyway: the fence has acted and the cycle re-grants.
      const deadline = Math.min(this.sentAt + this.ttl * 1000, this.client.deadline());
      if (!(await this.serialized(() => this.doRefresh(true, deadline, false)))) {
        log.warning('Leader lease lost in etcd: keys bound to it are gone');
        this.onTimerFailure();
      }
    } catch (e) {
      log.warning('Lease keepalive failed: %s', e instanceof Error ? e.message : String(e));
      this.retryAt = Date.now() + Math.min(1000, this.intervalMs);
      this.schedule();
      this.onTimerFailure();
    }
  }

  /** Stop the timer (shutdown). */
  stop(): void {
    this.holdUntilMs = 0;
    this.schedule();
  }
}
