// One reused superuser connection to the local server, reopened after any failure (the server may
// have restarted under us), and one-off sessions; all opened with libpq's semantics (libpq.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { PgUserAuth } from '../config/types.js';
import {
  LibpqError,
  libpqPlan,
  plainRejected,
  sessionAttrsMismatch,
  sessionAttrsQuery,
  tlsRefused,
  withEnvDefaults,
  type FileAccess,
  type LibpqParams,
  type LibpqPlan,
} from './libpq.js';

export { LibpqError } from './libpq.js';

export interface LocalAddress {
  host: string;
  port: number;
}

/**
 * Where Patroni connects locally: the first absolute unix_socket_directories entry when
 * use_unix_socket, else the loopback (when listening on it or everywhere) or the first listen host.
 */
export function localAddress(listenHosts: string[], port: number, useUnixSocket: boolean, socketDirs: string | undefined): LocalAddress {
  if (useUnixSocket && socketDirs) {
    const dir = socketDirs
      .split(',')
      .map((d) => d.trim())
      .find((d) => d.startsWith('/'));
    if (dir) return { host: dir, port };
  }
  const hosts = listenHosts.map((h) => h.trim().toLowerCase());
  // 127.0.0.1 rather than `localhost`: Node may resolve that to ::1 first.
  if (hosts.some((h) => ['*', '0.0.0.0', '127.0.0.1', 'localhost'].includes(h))) return { host: '127.0.0.1', port };
  return { host: listenHosts[0]?.trim() || '127.0.0.1', port };
}

export interface ConnectTarget extends LocalAddress {
  /** username/password and the libpq keywords of the auth section (sslmode, sslcert, ...). */
  auth: PgUserAuth;
  database: string;
  connectTimeoutSec?: number;
  /** statement_timeout in ms; 0 disables; null leaves the server's setting (patronictl query). */
  statementTimeoutMs?: number | null;
  /** node-postgres type parsers (patronictl query keeps every value as text). */
  types?: pg.ClientConfig['types'];
  /** application_name (Patroni's own sessions say `Patroni`). */
  applicationName?: string;
}

const localFiles: FileAccess = {
  exists: (p) => existsSync(p),
  read: (p) => readFileSync(p),
  list: (d) =>
    readdirSync(d)
      .map((f) => join(d, f))
      .filter((f) => statSync(f).isFile()),
};

function baseConfig(t: ConnectTarget, host: string, plan: LibpqPlan): pg.ClientConfig {
  return {
    host,
    port: t.port,
    user: t.auth.username,
    password: t.auth.password,
    database: t.database,
    application_name: t.applicationName ?? 'Patroni',
    connectionTimeoutMillis: plan.connectTimeoutMs,
    enableChannelBinding: plan.enableChannelBinding,
    ...(t.statementTimeoutMs === null ? {} : { options: `-c statement_timeout=${t.statementTimeoutMs ?? 2000}` }),
    ...(t.types ? { types: t.types } : {}),
  };
}

/** node-postgres config of the first attempt (tests and tools that open their own client). */
function targetParams(t: ConnectTarget): LibpqParams {
  const explicit: LibpqParams = { ...t.auth };
  if (t.connectTimeoutSec !== undefined && explicit.connect_timeout === undefined) explicit.connect_timeout = String(t.connectTimeoutSec);
  return withEnvDefaults(explicit, process.env);
}

export function clientConfig(t: ConnectTarget): pg.ClientConfig {
  const plan = libpqPlan(targetParams(t), t.host, homedir(), localFiles);
  return { ...baseConfig(t, t.host, plan), ssl: plan.attempts[0]?.ssl ?? false };
}

type SaslWatch = { on(event: 'authenticationSASL', fn: (msg: { mechanisms?: string[] }) => void): void };

async function attempt(config: pg.ClientConfig, plan: LibpqPlan): Promise<pg.Client> {
  const c = new pg.Client(config);
  c.on('error', () => undefined);
  let mechanisms: string[] = [];
  (c as unknown as { connection: SaslWatch }).connection.on('authenticationSASL', (msg) => {
    mechanisms = msg.mechanisms ?? [];
  });
  try {
    await c.connect();
    if (plan.requireChannelBinding && !(config.ssl && mechanisms.includes('SCRAM-SHA-256-PLUS'))) {
      throw new LibpqError('channel binding required, but server authenticated client without channel binding');
    }
    const sql = sessionAttrsQuery(plan.targetSessionAttrs);
    if (sql) {
      const r = await c.query<{ v: boolean }>(sql);
      const mismatch = sessionAttrsMismatch(plan.targetSessionAttrs, r.rows[0]?.v === true);
      if (mismatch) throw new LibpqError(mismatch);
    }
    return c;
  } catch (e) {
    await c.end().catch(() => undefined);
    throw e;
  }
}

/**
 * Open a session as libpq would for this target: each comma-separated host in turn, each with the
 * sslmode's attempts (prefer falls back to plain only when the server refuses TLS; allow tries TLS
 * only after pg_hba rejected the plain session), never TLS on a unix socket.
 */
export async function connect(t: ConnectTarget): Promise<pg.Client> {
  const params = targetParams(t);
  const hosts = t.host
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  let last: unknown = new LibpqError('no host to connect to');
  for (const host of hosts.length ? hosts : ['/var/run/postgresql']) {
    const plan = libpqPlan(params, host, homedir(), localFiles);
    for (const [i, a] of plan.attempts.entries()) {
      try {
        return await attempt({ ...baseConfig(t, host, plan), ssl: a.ssl }, plan);
      } catch (e) {
        last = e;
        const fallback = i + 1 < plan.attempts.length && (a.ssl ? tlsRefused(e) : plainRejected(e));
        if (!fallback) break;
      }
    }
  }
  throw last;
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
      const c = await connect(this.target());
      const lost = () => {
        if (this.client !== c) return;
        this.client = null;
        this.onLost();
      };
      c.on('error', lost);
      c.on('end', lost);
      this.client = c;
      return c;
    })().finally(() => {
      this.connecting = null;
    });
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
  const c = await connect(target);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}
