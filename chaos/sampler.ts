// Split-brain probes (I/O): every few hundred ms each node is asked, at the same instant, to commit a
// row; a node in recovery refuses. Every accepted probe goes to the shared log of accepted writes,
// where two nodes with overlapping acceptances mean two primaries at once.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { sleep } from '../test/support/tmp.js';
import type { AcceptedWrite } from './invariants.js';
import type { WriteTarget } from './node.js';
import { abandon, connect, errorCode, staleCount } from './pgconn.js';

export const PROBE_TABLE = 'chaos_probe';
const READ_ONLY_SQL_TRANSACTION = '25006';
const PROBE_TIMEOUT_MS = 1_500;
const ROUND_MS = 300;

export class Sampler {
  rounds = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly clients = new Map<string, pg.Client>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly nodes: readonly WriteTarget[],
    private readonly accepted: AcceptedWrite[],
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    for (const [node, c] of this.clients) abandon(node, c);
    this.clients.clear();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.rounds++;
      for (const n of this.nodes) {
        // A hung probe (frozen node) must not stall the others: skip that node until it is answered.
        if (!this.inFlight.has(n.name) && staleCount(n.name) < 4) void this.probe(n);
      }
      await sleep(ROUND_MS);
    }
    while (this.inFlight.size > 0) await sleep(50);
  }

  private async probe(n: WriteTarget): Promise<void> {
    this.inFlight.add(n.name);
    try {
      let client = this.clients.get(n.name);
      if (!client) {
        client = await connect(n.name, n.pgClient(PROBE_TIMEOUT_MS));
        if (!client) return;
        this.clients.set(n.name, client);
      }
      const sentAt = performance.now();
      try {
        await client.query(`INSERT INTO ${PROBE_TABLE} (node) VALUES ($1)`, [n.name]);
        this.accepted.push({ node: n.name, sentAt, ackAt: performance.now() });
      } catch (e) {
        if (errorCode(e) === READ_ONLY_SQL_TRANSACTION) return;
        this.clients.delete(n.name);
        abandon(n.name, client);
      }
    } finally {
      this.inFlight.delete(n.name);
    }
  }
}
