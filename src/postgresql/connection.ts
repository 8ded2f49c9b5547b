// One reused superuser connection to the local server, reopened after any failure (the server may
// have restarted under us). application_name is always `Patroni`, with a short connect timeout.
import pg from 'pg';
import type { PgUserAuth } from '../config/types.js';

export interface LocalAddress { host: string; port: number }

/**
 * Where Patroni connects locally: the first absolute unix_socket_directories entry when
 * use_unix_socket, else the loopback (when listening on it or everywhere) or the first listen host.
 */
export function localAddress(listenHosts: string[], port: number, useUnixSocket: boolean, socketDirs: string | undefined): LocalAddress {
  if (useUnixSocket && socketDirs) {
    const dir = socketDirs.split(',').map((d) => d.trim()).find((d) => d.startsWith('/'));
    if (dir) return { host: dir, port };
  }
  const hosts = listenHosts.map((h) => h.trim().toLowerCase());
  // 127.0.0.1 rather than `localhost`: Node may resolve that to ::1 first.
  if (hosts.some((h) => ['*', '0.0.0.0', '127.0.0.1', 'localhost'].includes(h))) return { host: '127.0.0.1', port };
  return { host: listenHosts[0]?.trim() || '127.0.0.1', port };
}

export interface ConnectTarget extends LocalAddress {
  auth: PgUserAuth;
  database: string;
  connectTimeoutSec?: number;
  /** statement_timeout in ms; 0 disables. */
  statementTimeoutMs?: number;
}

export function clientConfig(t: ConnectTarget): pg.ClientConfig {
  const ssl = t.auth.sslmode && !['disable', 'allow', 'prefer'].includes(t.auth.sslmode) ? { rejectUnauthorized: t.auth.sslmode.startsWith('verify') } : undefined;
  return {
    host: t.host, port: t.port, user: t.auth.username, password: t.auth.password, database: t.database,
    application_name: 'Patroni', connectionTimeoutMillis: (t.connectTimeoutSec ?? 3) * 1000,
    options: `-c statement_timeout=${t.statementTimeoutMs ?? 2000}`, ssl,
  };
}

export class LocalConnection {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  /**
   * Called when the session dies on its own (not by close()): a crashed or stopped server drops it at
   * once, so the HA loop can react now instead of at its next loop_wait tick.
   */
  onLost: () => void = () => undefined;

  constructor(private target: () => ConnectTarget) {}

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const client = await this.get();
    try {
      return (await client.query<R>(sql, params)).rows;
    } catch (e) {
      // A SQL error keeps the session usable; a broken socket does not.
      if (!(e instanceof Error && 'severity' in e)) await this.close();
      throw e;
    }
  }

  private async get(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const c = new pg.Client(clientConfig(this.target()));
      const lost = () => {
        if (this.client !== c) return;
        this.client = null;
        this.onLost();
      };
      c.on('error', lost);
      c.on('end', lost);
      try {
        await c.connect();
      } catch (e) {
        await c.end().catch(() => undefined);
        throw e;
      }
      this.client = c;
      return c;
    })().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }
}

/** A one-off session (CHECKPOINT without statement timeout, user management). */
export async function withClient<T>(target: ConnectTarget, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(clientConfig(target));
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}
