// Clients writing every 10 ms that remember when writes succeeded, so the unavailability of an HA
// event can be read off. Two kinds, one loop: through HAProxy (one address, reconnect after an error)
// and directly to the PostgreSQL nodes, as libpq's multi-host connection string with
// target_session_attrs=read-write does (node-postgres has no multi-host support, so this loop is
// that client): keep the connection to the node that last took a write; after an error, try the
// nodes in turn with a short connect timeout, a read-only or starting/stopping node meaning "next".
import pg from 'pg';
import { sleep } from '../test/support/tmp.js';
import { connectSuperuser, endQuietly, PROBE_TABLE } from './probe.js';

const PERIOD_MS = 10;
/**
 * Between rounds in which no node took the write. Each try of a node is a new connection (a backend
 * forked, SCRAM computed on both sides): at 10 ms the client would keep a core busy on a 2-core
 * machine during the very event it measures. 50 ms bounds the added gap well below the 0.5 s goal.
 */
const RETRY_MS = 50;

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

/**
 * Order in which the nodes (indexes 0..count-1) are tried after node `failed` let a write down
 * (pure): the next ones in turn, the failed one last (a restarted node comes back on its address).
 */
export function tryOrder(count: number, failed: number): number[] {
  return Array.from({ length: count }, (_, i) => (failed + 1 + i) % count);
}

export type WriteFailure = 'read-only' | 'not-accepting' | 'unreachable' | 'other';

/**
 * Why a connect or INSERT failed (pure), by SQLSTATE or socket error code. Every kind means "try the
 * next node"; the kinds are counted in the result's detail to show what the client went through.
 */
export function classifyWriteError(e: unknown): WriteFailure {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
  if (code === '25006') return 'read-only'; // read_only_sql_transaction: a replica, or a primary being demoted
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'not-accepting'; // admin shutdown, crash shutdown, cannot connect now
  if (/^E(CONNREFUSED|CONNRESET|PIPE|HOSTUNREACH)$/.test(code)) return 'unreachable';
  const message = e instanceof Error ? e.message : String(e);
  if (/timeout|terminated unexpectedly|Connection terminated/i.test(message)) return 'unreachable';
  return 'other';
}

export interface WriterOptions {
  /** Named in errors ("through HAProxy", "directly to the nodes"). */
  label: string;
  /** Tried in turn after an error (one port: reconnect to it). */
  ports: readonly number[];
  connectTimeoutMs: number;
}

export class Writer {
  /** Success times (performance.now()); a few minutes at 100/s is small enough to keep. */
  private readonly successes: number[] = [];
  readonly failures: Record<WriteFailure, number> = { 'read-only': 0, 'not-accepting': 0, unreachable: 0, other: 0 };
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly options: WriterOptions) {
    this.loop = this.run();
  }

  /** Writes through one address (HAProxy), reconnecting after an error. */
  static through(port: number, label: string): Writer {
    return new Writer({ label, ports: [port], connectTimeoutMs: 1_000 });
  }

  /** Writes directly to the nodes, libpq target_session_attrs=read-write style. */
  static direct(ports: readonly number[]): Writer {
    return new Writer({ label: 'directly to the nodes', ports, connectTimeoutMs: 200 });
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
      if (performance.now() > deadline) throw new Error(`no write ${this.options.label} succeeded within ${timeoutMs} ms`);
      await sleep(20);
    }
    return longestGap(this.successes, from, this.lastSuccess ?? after);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const { ports } = this.options;
    let client: pg.Client | undefined;
    let at = 0; // the node of the connection in use
    let failed = ports.length - 1; // so that the first round starts at node 0
    while (this.running) {
      const started = performance.now();
      // With a connection: write on it. Without one (start, or after an error): the nodes in turn
      // after the one that failed, until one takes the write.
      const order = client ? [at] : tryOrder(ports.length, failed);
      let wrote = false;
      for (const index of order) {
        try {
          if (!client) client = await this.connect(ports[index] ?? 0);
          await client.query(`INSERT INTO ${PROBE_TABLE} DEFAULT VALUES`);
          this.successes.push(performance.now());
          at = index;
          wrote = true;
          break;
        } catch (e) {
          this.failures[classifyWriteError(e)]++;
          if (client) await endQuietly(client);
          client = undefined;
          failed = index;
          if (order.length === 1) break; // the connection in use failed: the next tick tries the nodes in turn
        }
      }
      const period = wrote || order.length === 1 ? PERIOD_MS : RETRY_MS;
      await sleep(Math.max(0, period - (performance.now() - started)));
    }
    if (client) await endQuietly(client);
  }

  private connect(port: number): Promise<pg.Client> {
    return connectSuperuser(port, this.options.connectTimeoutMs, 1_000);
  }
}
