// libpq connection strings and pgpass lines exactly as Patroni writes them (ConfigHandler.format_dsn,
// primary_conninfo_params, write_pgpass), so primary_conninfo in postgresql.conf is byte-identical to
// what Python Patroni would produce.
import type { PgUserAuth } from '../config/types.js';

export type ConnParams = Partial<Record<string, string>>;

/** libpq keywords in the order Patroni emits them; passfile replaces password when present. */
const KEY_ORDER = [
  'dbname',
  'user',
  'passfile',
  'password',
  'host',
  'port',
  'sslmode',
  'sslcompression',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'application_name',
  'krbsrvname',
  'gssencmode',
  'channel_binding',
  'target_session_attrs',
  'sslnegotiation',
];

/** Keys only libpq of a given server version understands (major version number). */
const MIN_VERSION: Record<string, number> = {
  sslpassword: 130000,
  sslcrldir: 140000,
  target_session_attrs: 100000,
  gssencmode: 120000,
  channel_binding: 130000,
  sslnegotiation: 170000,
};

const escapeValue = (v: string) => v.replace(/(['\\ ])/g, '\\$1');

export function formatDsn(params: ConnParams): string {
  const keys = KEY_ORDER.filter((k) => !(k === 'password' && params.passfile));
  return keys
    .filter((k) => params[k] !== undefined)
    .map((k) => `${k}=${escapeValue(params[k] as string)}`)
    .join(' ');
}

/** Inverse of formatDsn (also accepts single-quoted values), for reading back primary_conninfo. */
export function parseDsn(text: string): ConnParams {
  const out: ConnParams = {};
  const re = /\s*([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|((?:[^\s\\]|\\.)*))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    const raw = m[2] ?? m[3] ?? '';
    out[m[1] as string] = raw.replace(/\\(.)/g, '$1');
  }
  return out;
}

const AUTH_SSL_KEYS = ['sslmode', 'sslcert', 'sslkey', 'sslpassword', 'sslrootcert', 'sslcrl', 'sslcrldir', 'gssencmode', 'channel_binding', 'sslnegotiation'];

export interface ConninfoInput {
  host: string;
  port: number;
  auth: PgUserAuth;
  /** application_name: my member name. */
  applicationName: string;
  database: string;
  majorVersion: number;
  /** pgpass path; used instead of the password on PG10+. */
  pgpass: string;
  krbsrvname?: string;
}

export interface PrimaryConninfo {
  params: ConnParams;
  /** The record to write into the pgpass file (null when there is no password). */
  pgpass: PgpassRecord | null;
}

export interface PgpassRecord {
  host: string;
  port: string;
  user: string;
  password: string;
}

/** primary_conninfo parameters with Patroni's defaults; password moved to the pgpass file on PG10+. */
export function buildPrimaryConninfo(input: ConninfoInput): PrimaryConninfo {
  const { auth, majorVersion } = input;
  const params: ConnParams = { dbname: input.database, user: auth.username, host: input.host, port: String(input.port) };
  for (const k of AUTH_SSL_KEYS) if (auth[k] !== undefined) params[k] = auth[k];
  params.application_name = input.applicationName;
  params.sslmode ??= 'prefer';
  params.gssencmode ??= 'prefer';
  params.channel_binding ??= 'prefer';
  params.sslnegotiation ??= 'postgres';
  if (input.krbsrvname) params.krbsrvname = input.krbsrvname;
  for (const [k, min] of Object.entries(MIN_VERSION)) if (majorVersion < min) delete params[k];
  let pgpass: PgpassRecord | null = null;
  if (auth.password !== undefined) {
    pgpass = { host: input.host, port: String(input.port), user: auth.username, password: auth.password };
    if (majorVersion >= 100000) params.passfile = input.pgpass;
    else params.password = auth.password;
  }
  return { params, pgpass };
}

/** `host:port:*:user:password` with `:` and `\` escaped; one line per comma-separated host. */
export function pgpassLines(rec: PgpassRecord): string {
  const esc = (v: string) => (v || '*').replace(/([:\\])/g, '\\$1');
  const lines = rec.host.split(',').map((h) => `${esc(h)}:${esc(rec.port)}:*:${esc(rec.user)}:${esc(rec.password)}`);
  // A socket directory is matched by libpq as `localhost`.
  if (rec.host.startsWith('/')) lines.push(`localhost:${esc(rec.port)}:*:${esc(rec.user)}:${esc(rec.password)}`);
  return lines.join('\n');
}
