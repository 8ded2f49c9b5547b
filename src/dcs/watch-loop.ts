// The loop both etcd watchers run (Patroni's Etcd3 KVCache thread, Etcd.watch): read everything into
// the cache, follow changes until the stream breaks or the view turns stale, then read again after a
// backoff that doubles from 0.5 s to 5 s while etcd stays unreachable and resets once a watch is live.
import { log } from '../log/logger.js';
import { KvCache } from './kv-cache.js';

export abstract class WatchLoop {
  readonly cache = new KvCache();
  protected live = false;
  protected stopped = true;
  private loop: Promise<void> | undefined;
  private wakeBackoff: () => void = () => {};

  /** `failure`: the log line's prefix when one round fails. */
  constructor(private readonly failure: string) {}

  get isLive(): boolean {
    return this.live;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Our view turned out stale (endpoint switch, failed CAS or txn): read everything again. */
  restart(): void {
    this.live = false;
    this.interrupt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    this.interrupt();
    this.skipBackoff();
    await this.loop;
  }

  /** Read everything, then follow changes; returns or throws when the round is over. */
  protected abstract watchOnce(onLive: () => void): Promise<void>;
  /** Cut the pending watch request or stream short. */
  protected abstract interrupt(): void;
  /** After each round, whatever its end. */
  protected roundOver(): void {}

  /** End a backoff pause now. */
  protected skipBackoff(): void {
    this.wakeBackoff();
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      try {
        await this.watchOnce(() => {
          backoff = 500;
        });
      } catch (e) {
        if (!this.stopped) log.error('%s: %s', this.failure, e instanceof Error ? e.message : String(e));
      } finally {
        this.live = false;
        this.roundOver();
      }
      if (this.stopped) break;
      // etcd down: retry calmly instead of spinning.
      await new Promise<void>((r) => {
        const t = setTimeout(r, backoff);
        this.wakeBackoff = () => {
          clearTimeout(t);
          r();
        };
      });
      backoff = Math.min(backoff * 2, 5000);
    }
  }
}
