// User-supplied ways to make a data directory, run as Patroni's Bootstrap runs them: a custom
// bootstrap method instead of initdb (_custom_bootstrap, _post_restore), the replica creation
// methods in order with basebackup built in (create_replica), and post_bootstrap/post_init
// (call_post_bootstrap). The argument vectors come from the pure builders in src/scripts.
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PatroniConfig } from '../config/types.js';
import type { PostgresState } from '../dcs/cluster.js';
import { log } from '../log/logger.js';
import { customBootstrapCommand, customBootstrapMethod, postBootstrapCommand, replicaMethodCommand, truthy } from '../scripts/commands.js';
import { runScript } from '../scripts/runner.js';
import { isObject, pyStr, type JsonObject } from '../util/json.js';
import { restoreConfigurationFiles } from './backups.js';
import type { Upstream } from './controller.js';
import { formatDsn, type ConnParams, type PgpassRecord } from './conninfo.js';
import { probeDataDir } from './datadir.js';
import { gucValue } from './parameters.js';
import { configDir } from './plan.js';

/** What the first start after a custom bootstrap writes instead of a primary's configuration. */
export interface CustomBootstrapState {
  /** bootstrap.<method>.recovery_conf (standby_mode off unless set): recovery to a target, then promote. */
  recovery: Record<string, string> | null;
  /** keep_existing_recovery_conf: leave the restored signal files and recovery settings alone. */
  keepExistingRecovery: boolean;
  /** The restored pg_hba.conf, put back after post_bootstrap; null when pg_hba is configured (nothing replaced). */
  originalHba: string | null;
}

/**
 * ConfigHandler.replace_pg_hba during a custom bootstrap without configured pg_hba: the restored
 * cluster's passwords are unknown, so the superuser and the replication user may connect locally
 * without one until post_bootstrap has set them.
 */
export function customBootstrapHba(superuser: string, replication: string, host: string): string {
  const local = [`local\treplication\t${replication}\t\ttrust`, `local\tall\t${superuser}\t\ttrust`];
  if (!host || host.startsWith('/')) return `${local.join('\n')}\n`;
  const address = /^[\d.]+$/.test(host) ? `${host}/32` : host.includes(':') ? `${host}/128` : host;
  return `${[...local, `host\treplication\t${replication}\t${address}\ttrust`, `host\tall\t${superuser}\t${address}\ttrust`].join('\n')}\n`;
}

interface Ctx {
  cfg: PatroniConfig;
  setState(state: PostgresState): void;
}

interface BootstrapCtx extends Ctx {
  /** Where the daemon connects to its PostgreSQL (a TCP host or a socket directory). */
  localHost: string;
}

/** Null when bootstrap.method is initdb; throws when the method's command fails. */
export async function customBootstrap(ctx: BootstrapCtx): Promise<CustomBootstrapState | null> {
  const { cfg } = ctx;
  const method = customBootstrapMethod(cfg.bootstrap.raw);
  if (!method) return null;
  ctx.setState('running custom bootstrap script');
  const argv = customBootstrapCommand(method.config, cfg.scope, cfg.postgresql.data_dir);
  log.info('Running custom bootstrap script: %s', pyStr(method.config.command));
  const code = await runScript(argv);
  if (code !== 0) {
    ctx.setState('custom bootstrap failed');
    throw new Error(`custom bootstrap script ${pyStr(method.config.command)} exited with code=${code ?? 'None'}`);
  }
  // _post_restore: our configuration files back, no trigger file that would promote at once.
  restoreConfigurationFiles(configDir(cfg), cfg.postgresql.data_dir);
  const trigger = join(cfg.postgresql.data_dir, 'promote');
  if (existsSync(trigger)) unlinkSync(trigger);
  if (!cfg.postgresql.pg_hba && cfg.bootstrap.pg_hba.length > 0) {
    appendFileSync(join(configDir(cfg), 'pg_hba.conf'), `\n${cfg.bootstrap.pg_hba.join('\n')}\n`);
  }
  let originalHba: string | null = null;
  if (!cfg.postgresql.pg_hba && cfg.postgresql.parameters.hba_file === undefined) {
    const hba = join(configDir(cfg), 'pg_hba.conf');
    originalHba = existsSync(hba) ? readFileSync(hba, 'utf8') : '';
    const auth = cfg.postgresql.authentication;
    writeFileSync(hba, customBootstrapHba(auth.superuser.username, auth.replication.username, ctx.localHost));
  }
  const rc = method.config.recovery_conf;
  let recovery: Record<string, string> | null = null;
  if (isObject(rc)) {
    recovery = { standby_mode: 'off' };
    for (const [k, v] of Object.entries(rc)) {
      const s = gucValue(v);
      if (s !== null) recovery[k.toLowerCase()] = s;
    }
  }
  ctx.setState('starting after custom bootstrap');
  return { recovery, keepExistingRecovery: !recovery && truthy(method.config.keep_existing_recovery_conf), originalHba };
}

export interface ReplicaJob extends Ctx {
  from: Upstream | null;
  methods: string[];
  majorVersion: number;
  writePgpass(rec: PgpassRecord | null): NodeJS.ProcessEnv;
  removeDataDirectory(): Promise<void>;
  /** Cancels the method running (Bootstrap's cancellable calls): no further method is tried. */
  signal?: AbortSignal;
  /** The built-in method: pg_basebackup with its retries; true on success. */
  basebackup(dsn: string, env: NodeJS.ProcessEnv): Promise<boolean>;
}

/** The replication connection to the clone source as Patroni passes it (format_dsn with dbname, no password). */
function sourceConnection(cfg: PatroniConfig, from: Upstream): { params: ConnParams; pgpass: PgpassRecord | null } {
  const auth = cfg.postgresql.authentication.replication;
  const params: ConnParams = { dbname: cfg.postgresql.database || 'postgres', user: auth.username, host: from.host, port: String(from.port) };
  for (const k of ['sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'sslcrl', 'gssencmode', 'channel_binding'] as const) {
    const v = (auth as Record<string, unknown>)[k];
    if (typeof v === 'string') params[k] = v;
  }
  const pgpass = auth.password !== undefined ? { host: from.host, port: String(from.port), user: auth.username, password: auth.password } : null;
  return { params, pgpass };
}

function methodConfig(cfg: PatroniConfig, method: string): JsonObject | undefined {
  const c = cfg.postgresql.raw[method];
  return isObject(c) ? c : undefined;
}

/** True when one of the methods created the replica (Bootstrap.create_replica returned 0). */
export async function createReplica(job: ReplicaJob): Promise<boolean> {
  const { cfg } = job;
  // Only ever into an empty data directory: what a failed method leaves behind is ours to clear.
  if (probeDataDir(cfg.postgresql.data_dir).kind !== 'empty') {
    log.error('Can not create a replica: data directory %s is not empty', cfg.postgresql.data_dir);
    return false;
  }
  job.setState('creating replica');
  const source = job.from ? sourceConnection(cfg, job.from) : null;
  const connstring = source ? formatDsn(source.params) : '';
  const env = source ? job.writePgpass(source.pgpass) : { ...process.env };
  const extraEnv: Record<string, string> = typeof env.PGPASSFILE === 'string' ? { PGPASSFILE: env.PGPASSFILE } : {};
  let ok = false;
  for (const method of job.methods) {
    if (job.signal?.aborted) break;
    if (method === 'basebackup') {
      if (!job.from) continue;
      ok = await job.basebackup(connstring, env);
      if (ok) {
        log.info('replica has been created using basebackup');
        break;
      }
      log.error('Error creating replica using method basebackup');
      continue;
    }
    const config = methodConfig(cfg, method);
    if (probeDataDir(cfg.postgresql.data_dir).kind !== 'empty') {
      if (truthy(config?.keep_data)) log.info('Leaving data directory uncleaned');
      else await job.removeDataDirectory();
    }
    const argv = replicaMethodCommand({ method, config, scope: cfg.scope, dataDir: cfg.postgresql.data_dir, connstring });
    job.setState('creating replica');
    log.info('Creating replica using method %s', method);
    const code = await runScript(argv, { env: extraEnv, label: method }, job.signal);
    if (code === 0) {
      log.info('replica has been created using %s', method);
      ok = true;
      break;
    }
    log.error('Error creating replica using method %s: %s exited with code=%s', method, argv[0] ?? method, code ?? 'None');
  }
  job.setState('stopped');
  return ok;
}

/** post_bootstrap / post_init with the superuser connection string, its password in a pgpass file. */
export async function runPostBootstrap(job: {
  cfg: PatroniConfig;
  host: string;
  port: number;
  writePgpass(rec: PgpassRecord | null): NodeJS.ProcessEnv;
}): Promise<boolean> {
  const cmd = job.cfg.bootstrap.post_bootstrap;
  if (!cmd) return true;
  const su = job.cfg.postgresql.authentication.superuser;
  const params: ConnParams = { dbname: job.cfg.postgresql.database || 'postgres', user: su.username, host: job.host, port: String(job.port) };
  // libpq: a pgpass host of `localhost` matches unix socket connections too.
  const passHost = job.host.startsWith('/') ? 'localhost' : job.host;
  const env = job.writePgpass(su.password !== undefined ? { host: passHost, port: String(job.port), user: su.username, password: su.password } : null);
  const extra: Record<string, string> = { PGOPTIONS: '-c synchronous_commit=local -c statement_timeout=0' };
  if (typeof env.PGPASSFILE === 'string') extra.PGPASSFILE = env.PGPASSFILE;
  const code = await runScript(postBootstrapCommand(cmd, formatDsn(params)), { env: extra, label: 'post_bootstrap' });
  if (code === null) {
    log.error('post_init script %s failed', cmd);
    return false;
  }
  if (code !== 0) {
    log.error('post_init script %s returned non-zero code %d', cmd, code);
    return false;
  }
  return true;
}

/** Postgresql.move_data_directory: keep a failed bootstrap's data for inspection, out of the way. */
export function moveDataDirectory(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  const target = `${dataDir.replace(/\/+$/, '')}.failed`;
  try {
    log.info('renaming data directory to %s', target);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(dataDir, target);
  } catch (e) {
    log.error('Could not rename data directory %s: %s', dataDir, e instanceof Error ? e.message : String(e));
  }
}
