// Client-side views of a cluster: "does this node accept a write now", "is the cluster healthy".
import pg from 'pg';
import { streamingReplicas, type ClusterNode, type TestCluster } from '../test/support/cluster/index.js';
import { SUPERUSER } from '../test/support/cluster/index.js';
import { sleep } from '../test/support/tmp.js';

export const PROBE_TABLE = 'bench_probe';

/** One INSERT on 127.0.0.1:port with short timeouts: true when it committed. */
export async function tryWrite(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: SUPERUSER.username,
    password: SUPERUSER.password,
    connectionTimeoutMillis: 1_000,
    query_timeout: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`INSERT INTO ${PROBE_TABLE} DEFAULT VALUES`);
    return true;
  } catch {
    return false;
  } finally {
    await endQuietly(client);
  }
}

/** client.end() that never throws and never hangs on a dead connection. */
export async function endQuietly(client: pg.Client): Promise<void> {
  await Promise.race([client.end().catch(() => undefined), sleep(1_000)]);
}

/** Polls the nodes every 100 ms until one accepts a write; returns it with the time (performance.now()) it did. */
export async function waitWritable(nodes: readonly ClusterNode[], timeoutMs: number): Promise<{ node: ClusterNode; at: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const round = Date.now();
    const results = await Promise.all(nodes.map(async (n) => ({ n, ok: await tryWrite(n.pgPort) })));
    const hit = results.find((r) => r.ok);
    if (hit) return { node: hit.n, at: performance.now() };
    await sleep(Math.max(0, 100 - (Date.now() - round)));
  }
  throw new Error(`no node of ${nodes.map((n) => n.name).join(', ')} accepted a write within ${timeoutMs} ms`);
}

export interface Healthy {
  leader: ClusterNode;
  replicas: ClusterNode[];
}

/** Leader plus every other node streaming, polled every 100 ms (the harness polls every 500 ms). */
export async function waitHealthy(cluster: TestCluster, timeoutMs: number): Promise<Healthy> {
  const want = cluster.nodes.length - 1;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const round = Date.now();
    const dead = cluster.nodes.filter((n) => !n.running);
    if (dead.length > 0) throw new Error(`daemon of ${dead.map((n) => n.name).join(', ')} exited: ${dead[0]?.logTail(3).replace(/\n/g, ' | ')}`);
    const replicas = streamingReplicas(await cluster.statuses());
    const leader = cluster.nodes.find((n) => !replicas.includes(n));
    if (replicas.length >= want && leader) return { leader, replicas };
    await sleep(Math.max(0, 100 - (Date.now() - round)));
  }
  throw new Error(`no leader with ${want} streaming replicas within ${timeoutMs} ms\n${await cluster.report(15)}`);
}

/** The probe table, created on the leader (it replicates to the others). */
export async function createProbeTable(leader: ClusterNode): Promise<void> {
  await leader.sql(`CREATE TABLE IF NOT EXISTS ${PROBE_TABLE} (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())`);
}
