// Leaf checks of the validator that look at the world: addresses (and whether something listens
// there), the data directory and the Postgres binaries. Messages follow Patroni's validator.py.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isObject, type Json, type JsonObject } from '../util/json.js';
import type { TcpState } from './probe.js';
import { which } from './probe.js';
import { CheckFailure, CheckWarning } from './schema.js';

export interface ValidateOptions {
  /** Don't report listen addresses that already accept connections (`-i`). */
  ignoreListenPort?: boolean;
  /** Check that data_dir is empty or a data directory matching `postgres --version` (default true). */
  checkDataDir?: boolean;
  /** Check that DCS / raft partner addresses accept connections (default true). */
  checkReachability?: boolean;
}

/** What the rules need from outside: probes are answered in a second pass (see validate.ts). */
export interface RuleContext {
  opts: ValidateOptions;
  raw: JsonObject;
  /** undefined while the probe is still pending (first pass). */
  tcp(host: string, port: number): TcpState | undefined;
  postgresMajorVersion(binary: string): string;
}

/** Python's split_host_port: the port after the last ':' (default when absent); IPv6 brackets stripped. */
export function splitHostPort(value: string, defaultPort: number): { host: string; port: number } {
  const cut = value.lastIndexOf(':');
  let host = cut >= 0 ? value.slice(0, cut) : value;
  const portText = cut >= 0 ? value.slice(cut + 1) : String(defaultPort);
  if (host.includes(':'))
    host = host
      .split(',')
      .map((h) => h.trim().replace(/^\[+|\]+$/g, ''))
      .join(',');
  if (!/^\s*[+-]?\d+\s*$/.test(portText)) throw new CheckFailure('contains a wrong value');
  return { host, port: Number.parseInt(portText, 10) };
}

function asText(v: Json): string {
  return typeof v === 'string' ? v : String(v);
}

export function hostPortCheck(ctx: RuleContext, listen: boolean, multipleHosts = false) {
  return (value: Json): void => {
    const text = asText(value);
    const { host, port } = splitHostPort(text, 1);
    if (port < 1 || port > 65535) throw new CheckFailure(`port ${port} is out of range 1-65535`);
    let hosts = multipleHosts ? host.split(',') : [host];
    if (hosts.includes('*')) {
      if (hosts.length !== 1) throw new CheckFailure("expecting '*' alone");
      hosts = ['0.0.0.0', '::'];
    }
    if (listen ? ctx.opts.ignoreListenPort : ctx.opts.checkReachability === false) return;
    for (const h of hosts) {
      const state = ctx.tcp(h.trim(), port);
      if (state === undefined) continue;
      if (typeof state === 'object') throw new CheckFailure(state.error);
      if (state === 'open' && listen) throw new CheckFailure(`Port ${port} is already in use.`);
      if (state === 'closed' && !listen) throw new CheckFailure(`${text} is not reachable`);
    }
  };
}

export function hostPortListCheck(ctx: RuleContext) {
  const one = hostPortCheck(ctx, false);
  return (value: Json): void => {
    if (Array.isArray(value)) value.forEach(one);
  };
}

export function commaSeparatedHostPortCheck(ctx: RuleContext) {
  const one = hostPortCheck(ctx, false);
  return (value: Json): void =>
    asText(value)
      .split(',')
      .forEach((s) => one(s.trim()));
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
const WILDCARD = ['0.0.0.0', '*'];

/**
 * Patroni rejects loopback connect addresses. We run demos and tests on one machine over loopback,
 * so loopback is only a warning here (deviation); wildcards stay errors (nobody can connect to them).
 */
export function connectAddressCheck(value: Json): void {
  let host: string;
  try {
    ({ host } = splitHostPort(asText(value), 1));
  } catch {
    throw new CheckFailure('contains a wrong value');
  }
  const message = 'must not contain "127.0.0.1", "0.0.0.0", "*", "::1", "localhost"';
  if (WILDCARD.includes(host)) throw new CheckFailure(message);
  if (LOOPBACK.includes(host)) throw new CheckWarning(`${message} (allowed for single-host setups)`);
}

function pgSection(raw: JsonObject): JsonObject {
  return isObject(raw.postgresql) ? raw.postgresql : {};
}

function binName(raw: JsonObject, name: string): string {
  const names = pgSection(raw).bin_name;
  const v = isObject(names) ? names[name] : undefined;
  return typeof v === 'string' && v ? v : name;
}

function binDir(raw: JsonObject): string | undefined {
  const v = pgSection(raw).bin_dir;
  return typeof v === 'string' && v ? v : undefined;
}

/** Patroni's data_directory_is_empty, plus "global/pg_control exists" meaning not empty. */
function dataDirectoryEmpty(dir: string): boolean {
  if (existsSync(join(dir, 'global', 'pg_control'))) return false;
  if (!existsSync(dir)) return true;
  return readdirSync(dir).every((n) => n.startsWith('.') || n === 'lost+found');
}

export function dataDirCheck(ctx: RuleContext) {
  return (value: Json): void => {
    const dir = asText(value);
    if (!dir) throw new CheckFailure('is an empty string');
    if (ctx.opts.checkDataDir === false) return;
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CheckFailure('is not a directory');
    if (dataDirectoryEmpty(dir)) return;
    const versionFile = join(dir, 'PG_VERSION');
    if (!existsSync(versionFile)) throw new CheckFailure("doesn't look like a valid data directory");
    const pgversion = readFileSync(versionFile, 'utf8').trim();
    const waldir = Number.parseFloat(pgversion) >= 10 ? 'pg_wal' : 'pg_xlog';
    if (!existsSync(join(dir, waldir)) || !statSync(join(dir, waldir)).isDirectory()) {
      throw new CheckFailure(`data dir for the cluster is not empty, but doesn't contain "${waldir}" directory`);
    }
    const bd = binDir(ctx.raw);
    const postgres = binName(ctx.raw, 'postgres');
    const major = ctx.postgresMajorVersion(bd ? join(bd, postgres) : postgres);
    if (pgversion !== major) {
      throw new CheckFailure(`data_dir directory postgresql version (${pgversion}) doesn't match with 'postgres --version' output (${major})`);
    }
  };
}

const BINARIES = ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres', 'pg_isready'];

/**
 * postgresql.bin_dir must hold the binaries Patroni runs. Patroni 4 also checks $PATH when bin_dir
 * is empty; we check only a configured bin_dir (the lead's decision for this project).
 */
export function binDirRun(ctx: RuleContext) {
  return (value: Json): string[] => {
    if (typeof value !== 'string' || !value) return [];
    if (!existsSync(value)) return [`Directory '${value}' does not exist.`];
    if (!statSync(value).isDirectory()) return [`'${value}' is not a directory.`];
    return BINARIES.map((b) => binName(ctx.raw, b))
      .filter((p) => !which(p, value))
      .map((p) => `does not contain '${p}' in '${value}'`);
  };
}

export function binaryNameCheck(ctx: RuleContext) {
  return (value: Json): void => {
    const name = asText(value);
    if (!name) throw new CheckFailure('is an empty string');
    const bd = binDir(ctx.raw);
    if (!which(name, bd)) throw new CheckFailure(`does not contain '${name}' in '${bd ?? '$PATH'}'`);
  };
}
