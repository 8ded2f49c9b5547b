// A client writing through HAProxy every 10 ms on one connection (reconnecting after errors) that
// remembers when writes stopped succeeding, so the unavailability of an HA event can be read off.
import pg from 'pg';
import { SUPERUSER } from '../test/support/cluster/index.js';
import { sleep } from '../test/support/tmp.js';
import { endQuietly, PROBE_TABLE } from './probe.js';

const PERIOD_MS = 10;

/** Longest interval without a successful write inside [from, to] (pure; times in ms). */
export function longestGap(successes: readonly number[], from: number, to: number): number {
  let prev = from;
  let longest = 0;
  for (const t of successes) {
    if (t < from) continue;
    if (t > to) break;
    longest = Math.max(longest, t - prev);
    prev = t;
  }
  return Math.max(longest, to - prev);
}

export class Writer {
  /** Success times (performance.now()); a few minutes at 100/s is small enough to keep. */
  private readonly successes: number[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly port: number) {
    this.loop = this.run();
  }

  get successCount(): number {
    return this.successes.length;
  }

  get lastSuccess(): number | undefined {
    return this.successes[this.successes.length - 1];
  }

  /** Waits until a write succeeds after `after`; then the longest gap in [from, that success]. */
  async gapSince(from: number, after: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while ((this.lastSuccess ?? 0) <= after) {
      if (performance.now() > deadline) throw new Error(`no write through HAProxy succeeded within ${timeoutMs} ms`);
      await sleep(20);
    }
    return longestGap(this.successes, from, this.lastSuccess ?? after);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let client: pg.Client | undefined;
    while (this.running) {
      const started = performance.now();
      try {
        if (!client) {
          client = new pg.Client({
            host: '127.0.0.1',
            port: this.port,
            database: 'postgres',
            user: SUPERUSER.username,
            password: SUPERUSER.password,
            connectionTimeoutMillis: 1_000,
            query_timeout: 1_000,
          });
          client.on('error', () => undefined);
          await client.connect();
        }
        await client.query(`INSERT INTO ${PROBE_TABLE} DEFAULT VALUES`);
        this.successes.push(performance.now());
      } catch {
        if (client) await endQuietly(client);
        client = undefined;
      }
      await sleep(Math.max(0, PERIOD_MS - (performance.now() - started)));
    }
    if (client) await endQuietly(client);
  }
}
