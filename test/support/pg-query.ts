// One query on a fresh connection, safe inside polling waits. A server that is going down (or an
// HAProxy with no backend, which accepts and then closes) ends the socket: pg reports that through
// the rejected promise AND an 'error' event, which without a listener would crash the test process
// ("Connection terminated unexpectedly" escaping waitFor). Here it is only a rejected promise, so a
// wait treats refused, reset and terminated connections as "not yet".
import pg from 'pg';

export interface QueryTarget {
  port: number;
  user: string;
  password: string;
  host?: string;
  database?: string;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** TLS options for a server that only accepts hostssl (node-postgres' `ssl`). */
  ssl?: pg.ClientConfig['ssl'];
}

export async function queryOnce<R extends pg.QueryResultRow = pg.QueryResultRow>(t: QueryTarget, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({
    host: t.host ?? '127.0.0.1',
    port: t.port,
    database: t.database ?? 'postgres',
    user: t.user,
    password: t.password,
    connectionTimeoutMillis: t.connectTimeoutMs ?? 3_000,
    query_timeout: t.queryTimeoutMs ?? 30_000,
    ...(t.ssl ? { ssl: t.ssl } : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
