// From configuration to the concrete files and postmaster options for one start/follow: ties the
// pure builders together so postgres.ts only does I/O.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import { needsHotStandbyFeedback } from '../config/permanent-slots.js';
import { isObject } from '../util/json.js';
import type { JsonObject } from '../util/json.js';
import type { ConfigFilesPlan } from './config-files.js';
import type { ServerRole, Upstream } from './controller.js';
import { buildPrimaryConninfo, type ConnParams, type PgpassRecord } from './conninfo.js';
import { commandLineOptions, gucValue, RECOVERY_PARAMETERS, serverParameters } from './parameters.js';
import { buildRecoveryParams } from './recovery.js';
import { slotNameFromMemberName } from './slots.js';
import type { GucTable } from './gucs.js';

export interface StartPlan {
  files: ConfigFilesPlan;
  pgpass: PgpassRecord | null;
  /** `--name=value` options for the postmaster. */
  options: string[];
  conninfo: ConnParams | null;
}

export const pgpassPath = (cfg: PatroniConfig) => cfg.postgresql.pgpass || join(homedir(), 'pgpass');
export const configDir = (cfg: PatroniConfig) => cfg.postgresql.config_dir || cfg.postgresql.data_dir;

function stringMap(o: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(o)) return out;
  for (const [k, v] of Object.entries(o)) {
    const s = gucValue(v);
    if (s !== null) out[k.toLowerCase()] = s;
  }
  return out;
}

const lines = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((l): l is string => typeof l === 'string') : null);

export function buildStartPlan(
  cfg: PatroniConfig,
  dyn: DynamicConfig,
  majorVersion: number,
  role: ServerRole,
  upstream: Upstream | null,
  gucs: GucTable | null = null,
): StartPlan {
  const pgc = cfg.postgresql;
  const dir = configDir(cfg);
  const { main, recovery: recoveryGucs } = serverParameters({
    scope: cfg.scope,
    listenHosts: pgc.listen.hosts,
    port: pgc.listen.port,
    configDir: dir,
    majorVersion,
    local: pgc.parameters,
    dynamic: dyn.parameters,
    enforceHotStandbyFeedback: needsHotStandbyFeedback(dyn, cfg.tags, majorVersion),
    gucs,
  });
  let conninfo: ConnParams | null = null;
  let pgpass: PgpassRecord | null = null;
  let recovery: Record<string, string> | null = null;
  if (role !== 'primary') {
    const dynPg: JsonObject = isObject(dyn.raw.postgresql) ? dyn.raw.postgresql : {};
    const extras = { ...stringMap(dynPg.recovery_conf), ...recoveryGucs, ...stringMap(pgc.raw.recovery_conf) };
    const standby = role === 'standby_leader' ? dyn.standby_cluster : null;
    if (upstream) {
      const built = buildPrimaryConninfo({
        host: upstream.host,
        port: upstream.port,
        auth: pgc.authentication.replication,
        applicationName: cfg.name,
        database: pgc.database || 'postgres',
        majorVersion,
        pgpass: pgpassPath(cfg),
        krbsrvname: typeof pgc.raw.krbsrvname === 'string' ? pgc.raw.krbsrvname : undefined,
      });
      conninfo = built.params;
      pgpass = built.pgpass;
    }
    let slotName: string | null = null;
    if (dyn.use_slots && majorVersion >= 90400) {
      if (standby) slotName = typeof standby.primary_slot_name === 'string' ? slotNameFromMemberName(standby.primary_slot_name) : null;
      else slotName = slotNameFromMemberName(cfg.name);
    }
    if (conninfo && standby && majorVersion >= 100000 && String(standby.host ?? '').includes(',')) conninfo.target_session_attrs = 'read-write';
    const standbyKeys = ['restore_command', 'archive_cleanup_command', 'recovery_min_apply_delay'];
    const standbyCluster = standby ? Object.fromEntries(Object.entries(stringMap(standby)).filter(([k]) => standbyKeys.includes(k))) : {};
    recovery = buildRecoveryParams({ majorVersion, extras, primaryConninfo: conninfo, slotName, standbyCluster });
  }
  const custom = pgc.raw.custom_conf;
  const baseName = pgc.raw.config_base_name;
  const files: ConfigFilesPlan = {
    configDir: dir,
    dataDir: pgc.data_dir,
    baseName: typeof baseName === 'string' && baseName ? baseName : 'postgresql',
    customConf: typeof custom === 'string' && custom ? custom : null,
    majorVersion,
    parameters: main,
    recovery,
    pgHba: pgc.pg_hba ?? lines(isObject(dyn.raw.postgresql) ? dyn.raw.postgresql.pg_hba : undefined),
    pgIdent: pgc.pg_ident ?? lines(isObject(dyn.raw.postgresql) ? dyn.raw.postgresql.pg_ident : undefined),
    recoveryNames: RECOVERY_PARAMETERS,
  };
  const options = commandLineOptions(main);
  if (dir !== pgc.data_dir) options.push(`--config-file=${join(dir, `${files.baseName}.conf`)}`);
  return { files, pgpass, options, conninfo };
}
