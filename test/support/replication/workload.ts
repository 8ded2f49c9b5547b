// A client that keeps inserting rows into the current leader and remembers every commit the
// server acknowledged, so a test can check that none of them is lost across failovers.
import pg from 'pg';
import type { ClusterNode, TestCluster } from '../cluster/index.js';
import { SUPERUSER } from '../cluster/index.js';
import { sleep } from '../tmp.js';

export class Workload {
  readonly acked: number[] = [];
  private nextId: number;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  /** Ids start at `firstId`, so several workloads can write to one table. */
  constructor(
    private readonly cluster: TestCluster,
    private readonly table: string,
    firstId = 1,
  ) {
    this.nextId = firstId;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const leader = await this.cluster.leader().catch(() => undefined);
      if (!leader) {
        await sleep(200);
        continue;
      }
      await this.writeTo(leader).catch(() => undefined);
      await sleep(100);
    }
  }

  /** Insert until the connection breaks or stop() is called. */
  private async writeTo(leader: ClusterNode): Promise<void> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: leader.pgPort,
      database: 'postgres',
      user: SUPERUSER.username,
      password: SUPERUSER.password,
      connectionTimeoutMillis: 2000,
      query_timeout: 10_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const [row] = (await client.query<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r')).rows;
      if (row?.r !== false) return;
      while (this.running) {
        const id = this.nextId++;
        await client.query(`INSERT INTO ${this.table} (id) VALUES ($1)`, [id]);
        this.acked.push(id);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Acknowledged ids missing from the node's table. */
export async function missingOn(node: ClusterNode, table: string, acked: readonly number[]): Promise<number[]> {
  const rows = await node.sql<{ id: number }>(`SELECT id FROM ${table}`);
  const present = new Set(rows.map((r) => r.id));
  return acked.filter((id) => !present.has(id));
}
