// pg_rewind against the new primary (Rewind.execute, Rewind.pg_rewind): the command line with rewind credentials.
// When to rewind is the HA core's decision; this only runs the tool.
import type { Json } from '../util/json.js';
import { log } from '../log/logger.js';
import { buildPrimaryConninfo, formatDsn, type ConninfoInput, type PgpassRecord } from './conninfo.js';
import { userOptions } from './options.js';
import type { PatroniConfig } from '../config/types.js';
import { restoreConfigurationFiles } from './backups.js';
import type { Upstream } from './controller.js';
import { configDir, pgpassPath } from './plan.js';
import { runTool } from './tools.js';

export const REWIND_FORBIDDEN = [
  'target-pgdata',
  'source-pgdata',
  'source-server',
  'write-recovery-conf',
  'dry-run',
  'restore-target-wal',
  'config-file',
  'no-ensure-shutdown',
  'version',
  'help',
];

/** The source connection (`auth`: authentication.rewind on PG11+, else the superuser) plus the target. */
export interface RewindInput extends ConninfoInput {
  dataDir: string;
  options: Json | undefined;
}

export function rewindCommand(r: RewindInput): { args: string[]; pgpass: PgpassRecord | null } {
  const { params, pgpass } = buildPrimaryConninfo(r);
  if (r.majorVersion >= 100000) params.target_session_attrs = 'read-write';
  const extra = userOptions('rewind', r.options, REWIND_FORBIDDEN, (msg) => log.error(msg));
  return { args: ['-D', r.dataDir, '--source-server', formatDsn(params), ...extra], pgpass };
}

export interface RewindJob {
  binary: string;
  cfg: PatroniConfig;
  majorVersion: number;
  from: Upstream;
  writePgpass(rec: PgpassRecord | null): NodeJS.ProcessEnv;
}

/** Run pg_rewind (PostgreSQL shut down cleanly); our configuration files back afterwards. True on success. */
export async function runRewind(job: RewindJob): Promise<boolean> {
  const { cfg, from, majorVersion } = job;
  const pgc = cfg.postgresql;
  const auth = majorVersion >= 110000 && pgc.authentication.rewind ? pgc.authentication.rewind : pgc.authentication.superuser;
  const { args, pgpass } = rewindCommand({
    dataDir: pgc.data_dir,
    host: from.host,
    port: from.port,
    auth,
    applicationName: cfg.name,
    database: pgc.database || 'postgres',
    majorVersion,
    pgpass: pgpassPath(cfg),
    options: pgc.raw.rewind,
  });
  log.info('running pg_rewind from %s', from.name);
  const res = await runTool(job.binary, args, { env: job.writePgpass(pgpass) });
  if (res.code !== 0) {
    log.error('Failed to rewind from healthy primary: %s', from.name);
    for (const line of `${res.stdout}${res.stderr}`.trim().split('\n')) if (line) log.error('pg_rewind: %s', line);
    return false;
  }
  log.info('pg_rewind finished successfully');
  restoreConfigurationFiles(configDir(cfg), pgc.data_dir);
  return true;
}
