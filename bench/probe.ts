// Client-side views of a cluster: "does this node accept a write now", "is the cluster healthy".
import pg from 'pg';
import { streamingReplicas, type ClusterNode, type TestCluster } from '../test/support/cluster/index.js';
import { SUPERUSER } from '../test/support/cluster/index.js';
import { sleep } from '../test/support/tmp.js';

export const PROBE_TABLE = 'bench_probe';

/** A connected superuser session on 127.0.0.1:port (errors after connecting are swallowed; a failed connect throws). */
export async function connectSuperuser(port: number, connectTimeoutMs: number, queryTimeoutMs: number): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: SUPERUSER.username,
    password: SUPERUSER.password,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: queryTimeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await endQuietly(client);
    throw e;
  }
  return client;
}

/** One INSERT on 127.0.0.1:port with short timeouts: true when it committed. */
export async function tryWrite(port: number): Promise<boolean> {
  const client = await connectSuperuser(port, 1_000, 2_000).catch(() => undefined);
  if (!client) return false;
  try {
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

/**
 * waitWritable for many nodes: one session per node kept open across polls, so each 100 ms round is an
 * INSERT per node (refused on a replica) instead of a new backend per node. A session that breaks is
 * opened again in a later round.
 */
export async function waitWritableHeld(nodes: readonly ClusterNode[], timeoutMs: number): Promise<{ node: ClusterNode; at: number }> {
  const sessions = new Map<ClusterNode, pg.Client>();
  const session = async (n: ClusterNode): Promise<pg.Client | undefined> => {
    const held = sessions.get(n);
    if (held) return held;
    const client = new pg.Client({ ...clientOptions(n.pgPort), connectionTimeoutMillis: 1_000, query_timeout: 2_000 });
    client.on('error', () => sessions.delete(n));
    try {
      await client.connect();
      sessions.set(n, client);
      return client;
    } catch {
      await endQuietly(client);
      return undefined;
    }
  };
  const writes = async (n: ClusterNode): Promise<boolean> => {
    const client = await session(n);
    if (!client) return false;
    try {
      await client.query(`INSERT INTO ${PROBE_TABLE} DEFAULT VALUES`);
      return true;
    } catch (e) {
      // Read-only refusals keep the session; anything else (shutdown, broken socket) drops it.
      if ((e as { code?: string }).code !== '25006') {
        sessions.delete(n);
        await endQuietly(client);
      }
      return false;
    }
  };
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const round = Date.now();
      const results = await Promise.all(nodes.map(async (n) => ({ n, ok: await writes(n) })));
      const hit = results.find((r) => r.ok);
      if (hit) return { node: hit.n, at: performance.now() };
      await sleep(Math.max(0, 100 - (Date.now() - round)));
    }
    throw new Error(`no node of ${nodes.map((n) => n.name).join(', ')} accepted a write within ${timeoutMs} ms`);
  } finally {
    await Promise.all([...sessions.values()].map(endQuietly));
  }
}

const clientOptions = (port: number) => ({ host: '127.0.0.1', port, database: 'postgres', user: SUPERUSER.username, password: SUPERUSER.password });

export interface Healthy {
  leader: ClusterNode;
  replicas: ClusterNode[];
}

/**
 * Leader plus every other node streaming, polled every `pollMs` (the harness polls every 500 ms). Each
 * poll is a GET /patroni per node, which queries PostgreSQL: a large cluster polls less often.
 */
export async function waitHealthy(cluster: TestCluster, timeoutMs: number, pollMs = 100): Promise<Healthy> {
  const want = cluster.nodes.length - 1;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const round = Date.now();
    const dead = cluster.nodes.filter((n) => !n.running);
    if (dead.length > 0) throw new Error(`daemon of ${dead.map((n) => n.name).join(', ')} exited: ${dead[0]?.logTail(3).replace(/\n/g, ' | ')}`);
    const replicas = streamingReplicas(await cluster.statuses());
    const leader = cluster.nodes.find((n) => !replicas.includes(n));
    if (replicas.length >= want && leader) return { leader, replicas };
    await sleep(Math.max(0, pollMs - (Date.now() - round)));
  }
  throw new Error(`no leader with ${want} streaming replicas within ${timeoutMs} ms\n${await cluster.report(15)}`);
}

/** The probe table, created on the leader (it replicates to the others). */
export async function createProbeTable(leader: ClusterNode): Promise<void> {
  await leader.sql(`CREATE TABLE IF NOT EXISTS ${PROBE_TABLE} (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())`);
}
