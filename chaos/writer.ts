// The client of the run (I/O): one connection at a time to whichever node says it is the primary,
// inserting increasing ids in autocommit and recording every acknowledged commit with the node,
// timeline and WAL position that acknowledged it. A failed or timed-out insert is not acknowledged.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { sleep } from '../test/support/tmp.js';
import type { AcceptedWrite, AckedCommit } from './invariants.js';
import { parseLsn } from './invariants.js';
import type { WriteTarget } from './node.js';
import { abandon, connect, staleCount } from './pgconn.js';

export const WRITES_TABLE = 'chaos_writes';
const INSERT = `INSERT INTO ${WRITES_TABLE} (id) VALUES ($1)
  RETURNING pg_current_wal_lsn()::text AS lsn, ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int AS tl`;
const QUERY_TIMEOUT_MS = 3_000;

export interface TimedCommit extends AckedCommit {
  sentAt: number;
  ackAt: number;
}

export class Writer {
  readonly commits: TimedCommit[] = [];
  private nextId = 1;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

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
  }

  lastCommit(): TimedCommit | undefined {
    return this.commits[this.commits.length - 1];
  }

  private async run(): Promise<void> {
    while (this.running) {
      const node = await this.findPrimary();
      if (!node || staleCount(node.name) > 8) {
        await sleep(250);
        continue;
      }
      const client = await connect(node.name, node.pgClient(QUERY_TIMEOUT_MS));
      if (!client) {
        await sleep(250);
        continue;
      }
      await this.writeUntilFailure(node.name, client);
    }
  }

  private async writeUntilFailure(node: string, client: pg.Client): Promise<void> {
    while (this.running) {
      const id = this.nextId++;
      const sentAt = performance.now();
      try {
        const rows = (await client.query<{ lsn: string; tl: number }>(INSERT, [id])).rows;
        const ackAt = performance.now();
        const row = rows[0];
        if (!row) throw new Error('INSERT returned no row');
        const commit: TimedCommit = { id, node, timeline: row.tl, lsnBefore: parseLsn(row.lsn), lsnAfter: undefined, sentAt, ackAt };
        this.commits.push(commit);
        this.accepted.push({ node, sentAt, ackAt });
        commit.lsnAfter = await this.currentLsn(client);
      } catch {
        abandon(node, client);
        return;
      }
      await sleep(20);
    }
    abandon(node, client);
  }

  /** Past the commit record just acknowledged (other sessions' WAL may add a little: an upper bound). */
  private async currentLsn(client: pg.Client): Promise<bigint | undefined> {
    const rows = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows;
    return rows[0] ? parseLsn(rows[0].lsn) : undefined;
  }

  /** The node answering 200 on GET /primary (the first one, should two claim it: the probes catch that). */
  private async findPrimary(): Promise<WriteTarget | undefined> {
    const answers = await Promise.all(
      this.nodes.map(async (n) => {
        try {
          const res = await fetch(`${n.apiUrl}/primary`, { signal: AbortSignal.timeout(1_000) });
          await res.arrayBuffer();
          return res.status === 200 ? n : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return answers.find((n) => n !== undefined);
  }
}
