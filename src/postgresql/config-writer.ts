// What the controller writes for the local PostgreSQL and remembers about it: postgresql.conf and the
// recovery settings for a role and upstream (rendered by plan.ts), .pgpass, the synchronous_standby_names
// the HA loop owns, and the protected options the running postmaster got on its command line.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { RestartReason } from '../dcs/cluster.js';
import { childEnv } from '../util/child-env.js';
import { writePrivateFile } from '../util/files.js';
import type { CustomBootstrapState } from './bootstrap-methods.js';
import { optionMap, pendingCommandLineChanges } from './command-line.js';
import { writeConfigFiles, writtenUpstream } from './config-files.js';
import { localAddress, type ConnectTarget } from './connection.js';
import { pgpassLines, type PgpassRecord } from './conninfo.js';
import type { ServerRole, Upstream } from './controller.js';
import { readMajorVersion } from './datadir.js';
import { availableGucs } from './gucs.js';
import { buildStartPlan, configDir, pgpassPath, type StartPlan } from './plan.js';
import type { ToolName } from './tools.js';

export interface ConfigWriterHost {
  config(): PatroniConfig;
  dynamic(): DynamicConfig;
  tool(name: ToolName): string;
  majorVersion(): Promise<number>;
  /** The custom bootstrap's recovery settings until post_bootstrap has run (Bootstrapper.custom). */
  customBootstrap(): CustomBootstrapState | null;
}

/** synchronous_standby_names owned by the HA loop in synchronous mode; unmanaged: the user's parameter. */
type StandbyNames = { managed: false } | { managed: true; value: string | null };

export class ConfigWriter {
  /** The role and upstream the files were last written for (null: not written by this process yet). */
  private role: ServerRole | null = null;
  private upstream: Upstream | null = null;
  private standbyNames: StandbyNames = { managed: false };
  /** Protected parameters the running postmaster got on its command line (known when we started it). */
  private startedOptions: Map<string, string> | null = null;
  private pendingMemo:
    | { cfg: PatroniConfig; dynamic: DynamicConfig; majorVersion: number; started: Map<string, string>; result: Record<string, RestartReason> }
    | undefined;

  constructor(private readonly host: ConfigWriterHost) {}

  private get dataDir(): string {
    return this.host.config().postgresql.data_dir;
  }

  /** The primary's plan for the data dir's version: what the address and socket settings are now. */
  private currentPlan(): StartPlan {
    return buildStartPlan(this.host.config(), this.host.dynamic(), readMajorVersion(this.dataDir), 'primary', null);
  }

  superuserTarget(statementTimeoutMs?: number): ConnectTarget {
    const pgc = this.host.config().postgresql;
    const main = this.currentPlan().files.parameters;
    const addr = localAddress(pgc.listen.hosts, pgc.listen.port, pgc.use_unix_socket, main.unix_socket_directories);
    return { ...addr, auth: pgc.authentication.superuser, database: pgc.database || 'postgres', statementTimeoutMs };
  }

  /** Absolute unix_socket_directories: where a dead postmaster's socket lock files may be left. */
  socketDirectories(): string[] {
    return (this.currentPlan().files.parameters.unix_socket_directories ?? '')
      .split(',')
      .map((d) => d.trim())
      .filter((d) => d.startsWith('/'));
  }

  writePgpass(rec: PgpassRecord | null): NodeJS.ProcessEnv {
    if (!rec) return childEnv();
    const path = pgpassPath(this.host.config());
    writePrivateFile(path, pgpassLines(rec));
    return childEnv({ PGPASSFILE: path });
  }

  /** Render every file for this role/upstream; returns the postmaster options. */
  async write(role: ServerRole, upstream: Upstream | null): Promise<string[]> {
    const cfg = this.host.config();
    const plan = buildStartPlan(cfg, this.host.dynamic(), await this.host.majorVersion(), role, upstream, availableGucs(this.host.tool('postgres')));
    if (this.standbyNames.managed) {
      if (this.standbyNames.value === null) delete plan.files.parameters.synchronous_standby_names;
      else plan.files.parameters.synchronous_standby_names = this.standbyNames.value;
    }
    const custom = this.host.customBootstrap();
    if (custom && role === 'primary') {
      if (custom.recovery) plan.files.recovery = custom.recovery;
      plan.files.keepExistingRecovery = custom.keepExistingRecovery;
    }
    this.writePgpass(plan.pgpass);
    writeConfigFiles(plan.files);
    this.role = role;
    this.upstream = upstream;
    return plan.options;
  }

  /** Rewrite the files for the role and upstream they were last written for (a reload). */
  async rewrite(): Promise<void> {
    const role = this.role ?? (existsSync(join(this.dataDir, 'standby.signal')) ? 'replica' : 'primary');
    await this.write(role, this.upstream ?? (await this.writtenUpstream()));
  }

  /** The postmaster started with these options. */
  started(options: string[]): void {
    this.startedOptions = optionMap(options);
  }

  /** A promotion made this server a primary: the next rewrite is a primary's. */
  promoted(): void {
    this.role = 'primary';
    this.upstream = null;
  }

  /** Options the running postmaster would get differently if started now (pending restart). */
  pendingCommandLineChanges(majorVersion: number): Record<string, RestartReason> {
    if (!this.startedOptions) return {};
    // Every snapshot asks (each cycle, each API refresh); the answer changes only with its inputs.
    const key = { cfg: this.host.config(), dynamic: this.host.dynamic(), majorVersion, started: this.startedOptions };
    const last = this.pendingMemo;
    if (last && last.cfg === key.cfg && last.dynamic === key.dynamic && last.majorVersion === majorVersion && last.started === key.started) return last.result;
    const result = pendingCommandLineChanges(key.started, buildStartPlan(key.cfg, key.dynamic, majorVersion, 'primary', null).options);
    this.pendingMemo = { ...key, result };
    return result;
  }

  /** A demoted primary's names mean nothing on a replica; a promotion sets them again first. */
  releaseStandbyNames(): void {
    this.standbyNames = { managed: false };
  }

  /** Own synchronous_standby_names (undefined: back to the user's parameter); true when that changes them. */
  setStandbyNames(value: string | null | undefined): boolean {
    const next: StandbyNames = value === undefined ? { managed: false } : { managed: true, value };
    const cur = this.standbyNames;
    const same = next.managed === cur.managed && (!next.managed || (cur.managed && cur.value === next.value));
    this.standbyNames = next;
    return !same;
  }

  /** host/port of primary_conninfo as currently written in postgresql.conf. */
  writtenUpstream(): Promise<Upstream | null> {
    const cfg = this.host.config();
    const baseName = typeof cfg.postgresql.raw.config_base_name === 'string' ? cfg.postgresql.raw.config_base_name : 'postgresql';
    return writtenUpstream([join(configDir(cfg), `${baseName}.conf`), join(this.dataDir, 'recovery.conf')]);
  }

  async isFollowing(upstream: Upstream | null): Promise<boolean> {
    const current = await this.writtenUpstream();
    if (!upstream || !current) return upstream === current;
    return current.host === upstream.host && current.port === upstream.port;
  }
}
