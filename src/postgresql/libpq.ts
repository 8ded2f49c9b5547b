// libpq's connection semantics on top of node-postgres (docs/decisions.md "libpq semantics"): which
// attempts to make for an sslmode, which certificate files to load (with libpq's ~/.postgresql
// defaults), gssencmode, channel_binding, connect_timeout and target_session_attrs. Pure: the file
// system is read through `files`, so the rules are unit-tested; connection.ts runs the attempts.
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly string[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby';
const TSA: readonly string[] = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'];

/** The libpq keywords we read (the auth section of the config, or a parsed conninfo). */
export type LibpqParams = Partial<Record<string, string>>;

export interface FileAccess {
  exists(path: string): boolean;
  read(path: string): Buffer;
  /** Every regular file of a directory (sslcrldir). */
  list(dir: string): string[];
}

/** One connection attempt: TLS options, or false for a plain session. */
export interface Attempt {
  ssl: ConnectionOptions | false;
}

export interface LibpqPlan {
  /** In order: the second attempt is the fallback (prefer: plain after TLS refused; allow: TLS after plain refused). */
  attempts: Attempt[];
  enableChannelBinding: boolean;
  /** channel_binding=require: a session without SCRAM-SHA-256-PLUS must be refused. */
  requireChannelBinding: boolean;
  /** Milliseconds; 0 means wait for ever (libpq: 0 or unset). */
  connectTimeoutMs: number;
  targetSessionAttrs: TargetSessionAttrs;
}

export class LibpqError extends Error {}

/** libpq's environment defaults for the keywords we map (used only when the keyword is not given). */
const ENV_DEFAULTS: Record<string, string> = {
  sslmode: 'PGSSLMODE',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslrootcert: 'PGSSLROOTCERT',
  sslcrl: 'PGSSLCRL',
  sslcrldir: 'PGSSLCRLDIR',
  gssencmode: 'PGGSSENCMODE',
  channel_binding: 'PGCHANNELBINDING',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
};

/** Explicit keywords over PG* environment variables, as libpq's conninfo_add_defaults. */
export function withEnvDefaults(p: LibpqParams, env: NodeJS.ProcessEnv): LibpqParams {
  const out: LibpqParams = { ...p };
  for (const [key, name] of Object.entries(ENV_DEFAULTS)) {
    if ((out[key] === undefined || out[key] === '') && env[name]) out[key] = env[name];
  }
  return out;
}

/** libpq treats connect_timeout below 2 (but not 0) as 2 seconds; unset is infinite. */
export function connectTimeoutMs(value: string | number | undefined, dflt: number): number {
  if (value === undefined || value === '') return dflt * 1000;
  const n = typeof value === 'number' ? value : Number.parseInt(String(value), 10);
  if (!Number.isFinite(n)) throw new LibpqError(`invalid integer value "${value}" for connection option "connect_timeout"`);
  if (n <= 0) return 0;
  return Math.max(n, 2) * 1000;
}

/**
 * Whether a connection to `host` is a unix-domain socket: libpq never uses TLS (nor GSS) there,
 * whatever sslmode says.
 */
export const isUnixSocket = (host: string): boolean => host.startsWith('/') || host.startsWith('@');

function tlsOptions(mode: SslMode, p: LibpqParams, host: string, home: string, files: FileAccess): ConnectionOptions {
  const dir = join(home, '.postgresql');
  const opts: ConnectionOptions = {};
  // Client certificate: sslcert, else ~/.postgresql/postgresql.crt when it exists (as libpq).
  const cert = p.sslcert || join(dir, 'postgresql.crt');
  if (files.exists(cert)) {
    opts.cert = files.read(cert);
    const key = p.sslkey || join(dir, 'postgresql.key');
    if (!files.exists(key)) throw new LibpqError(`certificate present, but not private key file "${key}"`);
    opts.key = files.read(key);
    if (p.sslpassword) opts.passphrase = p.sslpassword;
  }
  // A missing client certificate file is not an error for libpq: the server may not ask for one.
  const rootcert = p.sslrootcert || join(dir, 'root.crt');
  let verify = mode === 'verify-ca' || mode === 'verify-full';
  if (rootcert === 'system') {
    verify = true;
  } else if (files.exists(rootcert)) {
    opts.ca = files.read(rootcert);
    // A root certificate file present means the chain is verified whenever TLS is used (libpq's
    // initialize_SSL): "require" then behaves as verify-ca, and so do allow/prefer once on TLS.
    verify = true;
  } else if (verify) {
    throw new LibpqError(
      `root certificate file "${rootcert}" does not exist\nEither provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.`,
    );
  }
  const crls: Buffer[] = [];
  const crl = p.sslcrl || join(dir, 'root.crl');
  if (verify && files.exists(crl)) crls.push(files.read(crl));
  if (verify && p.sslcrldir) for (const f of files.list(p.sslcrldir)) crls.push(files.read(f));
  if (crls.length) opts.crl = crls;
  opts.rejectUnauthorized = verify;
  // verify-ca checks the chain but not the host name; verify-full checks both.
  if (mode === 'verify-full') opts.servername = host;
  else opts.checkServerIdentity = () => undefined;
  return opts;
}

/** The plan for one host; throws LibpqError for settings libpq would refuse before connecting. */
export function libpqPlan(p: LibpqParams, host: string, home: string, files: FileAccess, defaultTimeoutSec = 3): LibpqPlan {
  const rawMode = p.sslmode || 'prefer';
  if (!SSL_MODES.includes(rawMode)) throw new LibpqError(`invalid sslmode value: "${rawMode}"`);
  const mode = rawMode as SslMode;
  const gss = p.gssencmode || 'prefer';
  if (!['disable', 'prefer', 'require'].includes(gss)) throw new LibpqError(`invalid gssencmode value: "${gss}"`);
  // No Kerberos credential cache is ever available to us: prefer falls through to TLS or plain.
  if (gss === 'require') throw new LibpqError('gssencmode value "require" invalid when GSSAPI support is not compiled in');
  const cb = p.channel_binding || 'prefer';
  if (!['disable', 'prefer', 'require'].includes(cb)) throw new LibpqError(`invalid channel_binding value: "${cb}"`);
  const tsa = p.target_session_attrs || 'any';
  if (!TSA.includes(tsa)) throw new LibpqError(`invalid target_session_attrs value: "${tsa}"`);

  let attempts: Attempt[];
  if (isUnixSocket(host) || mode === 'disable') {
    attempts = [{ ssl: false }];
  } else {
    const tls = tlsOptions(mode, p, host, home, files);
    if (mode === 'allow') attempts = [{ ssl: false }, { ssl: tls }];
    else if (mode === 'prefer') attempts = [{ ssl: tls }, { ssl: false }];
    else attempts = [{ ssl: tls }];
  }
  if (cb === 'require' && attempts.every((a) => a.ssl === false)) {
    throw new LibpqError('channel binding required, but SSL not in use');
  }
  return {
    attempts,
    enableChannelBinding: cb !== 'disable',
    requireChannelBinding: cb === 'require',
    connectTimeoutMs: connectTimeoutMs(p.connect_timeout, defaultTimeoutSec),
    targetSessionAttrs: tsa as TargetSessionAttrs,
  };
}

/** prefer: retry without TLS only when the server refused TLS (never after a certificate failure). */
export function tlsRefused(e: unknown): boolean {
  return e instanceof Error && e.message === 'The server does not support SSL connections';
}

/** allow: retry with TLS only when the server rejected the plain session in pg_hba (SQLSTATE 28000). */
export function plainRejected(e: unknown): boolean {
  return (
    typeof e === 'object' &&
    e !== null &&
    'code' in e &&
    (e.code === '28000' || e.code === '28P01') &&
    e instanceof Error &&
    /no encryption|SSL off/.test(e.message)
  );
}

/** The SQL deciding whether a session satisfies target_session_attrs, and the verdict. */
export function sessionAttrsQuery(tsa: TargetSessionAttrs): string | null {
  if (tsa === 'any') return null;
  if (tsa === 'read-write' || tsa === 'read-only') return "SELECT current_setting('transaction_read_only') = 'on' AS v";
  return 'SELECT pg_catalog.pg_is_in_recovery() AS v';
}

/** libpq's messages when a server does not match (the last host's message is reported). */
export function sessionAttrsMismatch(tsa: TargetSessionAttrs, v: boolean): string | null {
  switch (tsa) {
    case 'read-write':
      return v ? 'session is read-only' : null;
    case 'read-only':
      return v ? null : 'session is not read-only';
    case 'primary':
      return v ? 'server is in hot standby mode' : null;
    case 'standby':
    case 'prefer-standby':
      return v ? null : 'server is not in hot standby mode';
    default:
      return null;
  }
}
