// The controller for the local PostgreSQL: the imperative shell the HA executor drives. Pure
// builders live in plan.ts/parameters.ts/conninfo.ts; this file only sequences I/O and keeps state.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { PostgresState, RestartReason } from '../dcs/cluster.js';
import { log } from '../log/logger.js';
import { saveConfigurationFiles } from './backups.js';
import { writeConfigFiles, writtenUpstream } from './config-files.js';
import { localAddress, LocalConnection, withClient, type ConnectTarget } from './connection.js';
import { pgpassLines, type PgpassRecord } from './conninfo.js';
import type { PostgresController, ServerRole, StopMode, Upstream } from './controller.js';
import { readControlData, readCheckpointLsn } from './controldata.js';
import { clearDirectory, readMajorVersion, readMajorVersionAsync } from './datadir.js';
import { buildStartPlan, configDir, pgpassPath } from './plan.js';
import {
  pgCtlPromote,
  pgCtlReload,
  pgCtlStart,
  pgCtlStop,
  removeStaleLocks,
  runningPostmaster,
  signalStop,
  stopWithin,
  waitForOrphans,
  type PgCtl,
} from './process.js';
import { childEnv } from '../util/child-env.js';
import { availableGucs } from './gucs.js';
import { writePrivateFile } from '../util/files.js';
import { SnapshotReader } from './read-snapshot.js';
import { runRewind } from './rewind.js';
import { SlotOps } from './slot-ops.js';
import { optionMap, pendingCommandLineChanges } from './command-line.js';
import { SYNC_READING_QUERY, toSyncReading, type SyncReading, type SyncReadingRow } from './sync.js';
import type { PostgresSnapshot } from './snapshot.js';
import { parseVersionOutput, runTool, toolPath, type ToolName } from './tools.js';
import { PgCallbacks } from './callbacks.js';
import { Bootstrapper } from './bootstrapper.js';
import type { CallbackAction, CallbackRole } from '../scripts/commands.js';
import type { PgRole } from './callback-state.js';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function logTail(file: string, lines: number): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

export class Postgresql implements PostgresController {
  private state: PostgresState;
  private role: ServerRole | null = null;
  private upstream: Upstream | null = null;
  private binaryVersion = 0;
  private startInProgress = false;
  /** synchronous_standby_names owned by the HA loop in synchronous mode; unmanaged: the user's parameter. */
  private standbyNames: { managed: false } | { managed: true; value: string | null } = { managed: false };
  /** Protected parameters the running postmaster got on its command line (known when we started it). */
  private startedOptions: Map<string, string> | null = null;
  private pendingMemo:
    | { cfg: PatroniConfig; dynamic: DynamicConfig; majorVersion: number; started: Map<string, string>; result: Record<string, RestartReason> }
    | undefined;
  private readonly conn: LocalConnection;
  private readonly snapshots: SnapshotReader;
  /** Replication slot operations (SlotManager drives them). */
  readonly slots: SlotOps;
  /** Callbacks fired by start/stop/restart/reload/promote/follow, as Patroni's Postgresql fires them. */
  readonly callbacks: PgCallbacks;
  /** initdb or the custom bootstrap method, replica creation, post_bootstrap (Patroni's Bootstrap). */
  private readonly boot: Bootstrapper;

  constructor(
    private cfg: PatroniConfig,
    private readonly getDynamic: () => DynamicConfig,
  ) {
    this.conn = new LocalConnection(() => this.superuserTarget());
    this.state = runningPostmaster(this.dataDir) ? 'running' : 'stopped';
    this.snapshots = new SnapshotReader({
      dataDir: () => this.dataDir,
      pgControlData: () => this.tool('pg_controldata'),
      conn: this.conn,
      state: () => this.state,
      setState: (st) => this.setState(st),
      startInProgress: () => this.startInProgress,
      pendingCommandLineChanges: (v) => this.pendingCommandLineChanges(v),
    });
    this.slots = new SlotOps(
      this.conn,
      (database) => ({ ...this.superuserTarget(0), database }),
      () => this.majorVersion(),
    );
    const fromDir: PgRole =
      existsSync(join(this.dataDir, 'standby.signal')) || existsSync(join(this.dataDir, 'recovery.conf'))
        ? 'replica'
        : existsSync(join(this.dataDir, 'PG_VERSION'))
          ? 'primary'
          : 'uninitialized';
    this.callbacks = new PgCallbacks(() => this.cfg, fromDir);
    this.boot = new Bootstrapper({
      config: () => this.cfg,
      setState: (st) => this.setState(st),
      tool: (t) => this.tool(t),
      writePgpass: (rec) => this.writePgpass(rec),
      majorVersion: () => this.majorVersion(),
      superuserTarget: () => this.superuserTarget(0),
      reloadQuietly: () => this.reload(true),
      removeDataDirectory: () => this.removeDataDirectory(),
      callbacks: this.callbacks,
    });
  }

  bootstrap(): Promise<void> {
    return this.boot.bootstrap();
  }
  initdb(): Promise<void> {
    return this.boot.initdb();
  }
  createReplica(from: Upstream | null, methods: string[], signal?: AbortSignal): Promise<boolean> {
    return this.boot.createReplica(from, methods, signal);
  }
  postBootstrap(): Promise<void> {
    return this.boot.postBootstrap();
  }
  moveDataDirectory(): Promise<void> {
    return this.boot.moveDataDirectory();
  }

  get dataDir(): string {
    return this.cfg.postgresql.data_dir;
  }
  get currentState(): PostgresState {
    return this.state;
  }

  /** Wake the HA loop when the monitoring session drops (server crashed or stopped under us). */
  set onConnectionLost(fn: () => void) {
    this.conn.onLost = fn;
  }

  /** A reloaded local config (SIGHUP): used from the next file write or start on. */
  setConfig(cfg: PatroniConfig): void {
    this.cfg = cfg;
  }

  setState(state: PostgresState): void {
    if (state !== this.state) log.debug('postgres state %s -> %s', this.state, state);
    this.state = state;
  }

  private tool(name: ToolName): string {
    return toolPath(this.cfg.postgresql, name);
  }
  private pgCtl(): PgCtl {
    return { binary: this.tool('pg_ctl'), dataDir: this.dataDir, timeoutSec: this.cfg.postgresql.pg_ctl_timeout || 60 };
  }

  /** Major version of the data dir, else of the installed binaries (`postgres -V`). */
  async majorVersion(): Promise<number> {
    const fromDir = await readMajorVersionAsync(this.dataDir);
    if (fromDir) return fromDir;
    if (!this.binaryVersion) this.binaryVersion = parseVersionOutput((await runTool(this.tool('postgres'), ['-V'])).stdout);
    return this.binaryVersion;
  }

  private superuserTarget(statementTimeoutMs?: number): ConnectTarget {
    const pgc = this.cfg.postgresql;
    const main = buildStartPlan(this.cfg, this.getDynamic(), readMajorVersion(this.dataDir), 'primary', null).files.parameters;
    const addr = localAddress(pgc.listen.hosts, pgc.listen.port, pgc.use_unix_socket, main.unix_socket_directories);
    return { ...addr, auth: pgc.authentication.superuser, database: pgc.database || 'postgres', statementTimeoutMs };
  }

  /** The local PostgreSQL now (read-snapshot.ts). */
  snapshot(): Promise<PostgresSnapshot> {
    return this.snapshots.read();
  }

  private writePgpass(rec: PgpassRecord | null): NodeJS.ProcessEnv {
    if (!rec) return childEnv();
    const path = pgpassPath(this.cfg);
    writePrivateFile(path, pgpassLines(rec));
    return childEnv({ PGPASSFILE: path });
  }

  private pendingCommandLineChanges(majorVersion: number): Record<string, RestartReason> {
    if (!this.startedOptions) return {};
    // Every snapshot asks (each cycle, each API refresh); the answer changes only with its inputs.
    const key = { cfg: this.cfg, dynamic: this.getDynamic(), majorVersion, started: this.startedOptions };
    const last = this.pendingMemo;
    if (last && last.cfg === key.cfg && last.dynamic === key.dynamic && last.majorVersion === majorVersion && last.started === key.started) return last.result;
    const result = pendingCommandLineChanges(this.startedOptions, buildStartPlan(this.cfg, key.dynamic, majorVersion, 'primary', null).options);
    this.pendingMemo = { ...key, result };
    return result;
  }

  /** Render every file for this role/upstream; returns the postmaster options. */
  private async writeConfiguration(role: ServerRole, upstream: Upstream | null): Promise<string[]> {
    const plan = buildStartPlan(this.cfg, this.getDynamic(), await this.majorVersion(), role, upstream, availableGucs(this.tool('postgres')));
    if (this.standbyNames.managed) {
      if (this.standbyNames.value === null) delete plan.files.parameters.synchronous_standby_names;
      else plan.files.parameters.synchronous_standby_names = this.standbyNames.value;
    }
    const custom = this.boot.custom;
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

  /**
   * Start in a role. A replica or standby leader starts the way Patroni's follow() starts it: a
   * demoted primary (or a role swap between replica and standby leader) announces on_role_change
   * instead of on_start.
   */
  async start(role: ServerRole, upstream: Upstream | null): Promise<boolean> {
    if (role === 'primary') return this.startServer(role, upstream, false);
    const changeRole = this.callbacks.followChangesRole(role);
    const ok = await this.startServer(role, upstream, changeRole);
    if (changeRole) this.callbacks.call('on_role_change', role);
    return ok;
  }

  /** Stop and start again in a role; on_restart once it accepts connections (Postgresql.restart). */
  async restart(role: ServerRole, upstream: Upstream | null, blockCallbacks = false): Promise<boolean> {
    this.setState('restarting');
    this.callbacks.restartRequested(blockCallbacks);
    return (await this.stop('fast', { blockCallbacks: true })) && this.startServer(role, upstream, true);
  }

  /** A callback the HA cycle decided on (run_callback). */
  runCallback(action: CallbackAction, role: CallbackRole, endBootstrap: boolean): void {
    if (endBootstrap) this.callbacks.setBootstrapping(false);
    this.callbacks.call(action, role);
  }

  private async startServer(role: ServerRole, upstream: Upstream | null, blockCallbacks: boolean): Promise<boolean> {
    await this.conn.close();
    if (runningPostmaster(this.dataDir)) {
      log.error('Cannot start PostgreSQL because one is already running.');
      this.setState('starting');
      return true;
    }
    this.callbacks.startRequested(role, blockCallbacks);
    // Recovery to a target can take long: say what the start is for (Patroni's BOOTSTRAP_STARTING).
    this.setState(this.boot.custom ? 'starting after custom bootstrap' : 'starting');
    this.startInProgress = true;
    // A demoted primary's names mean nothing on a replica; a promotion sets them again first.
    if (role !== 'primary') this.standbyNames = { managed: false };
    try {
      const noOrphans = await waitForOrphans(this.dataDir, 10_000);
      if (!noOrphans) log.warning('processes of the crashed postmaster are still running in %s', this.dataDir);
      this.clearStaleLocks(noOrphans);
      const options = await this.writeConfiguration(role, upstream);
      const logFile = join(this.dataDir, 'postgresql.log');
      const res = await pgCtlStart(this.pgCtl(), options, logFile);
      if (res.code === 0) {
        this.startedOptions = optionMap(options);
        this.setState('running');
        this.callbacks.started();
        saveConfigurationFiles(configDir(this.cfg), this.dataDir);
        return true;
      }
      log.error('pg_ctl start failed: %s', res.stderr.trim() || res.stdout.trim());
      for (const line of logTail(logFile, 10)) log.error('postgres: %s', line);
      if (!runningPostmaster(this.dataDir)) this.setState('start failed');
      return false;
    } finally {
      this.startInProgress = false;
    }
  }

  /** The synchronous-replication step's view of this primary (Ha.process_sync_replication). */
  async readSync(): Promise<SyncReading> {
    const [row] = await this.conn.query<SyncReadingRow & Record<string, unknown>>(SYNC_READING_QUERY);
    if (!row) throw new Error('no answer to the synchronous replication query');
    return toSyncReading(row);
  }

  /** Rewrite postgresql.conf with these names (undefined: back to the user's parameter) and reload. */
  async setSynchronousStandbyNames(value: string | null | undefined): Promise<void> {
    const next = value === undefined ? { managed: false as const } : { managed: true as const, value };
    const same = next.managed === this.standbyNames.managed && (!next.managed || (this.standbyNames.managed && this.standbyNames.value === next.value));
    if (same) return;
    this.standbyNames = next;
    await this.reload(true);
  }

  /**
   * Postgresql.stop: CHECKPOINT first when asked, then before_stop, then pg_ctl stop; on_stop when
   * a running postmaster was stopped, except inside a restart (`blockCallbacks`).
   */
  async stop(mode: StopMode, opts: { checkpoint?: boolean; stopTimeout?: number; blockCallbacks?: boolean } = {}): Promise<boolean> {
    if (!runningPostmaster(this.dataDir)) {
      this.setState('stopped');
      return true;
    }
    if (opts.checkpoint && !this.state.startsWith('starting')) await this.checkpoint().catch((e) => log.error('Exception during CHECKPOINT: %s', errorText(e)));
    this.setState('stopping');
    await this.callbacks.beforeStop();
    await this.conn.close();
    if (opts.stopTimeout) {
      // primary_stop_timeout (Postgresql._do_stop with stop_timeout): bounded, then immediate, then SIGKILL.
      const gone = await stopWithin(this.dataDir, mode, opts.stopTimeout);
      this.setState(gone ? 'stopped' : 'stop failed');
      if (gone) this.callbacks.stopped(true, opts.blockCallbacks ?? false);
      return gone;
    }
    if ((await signalStop(this.dataDir, mode, this.pgCtl().timeoutSec * 1000)) === 'gone') {
      this.setState('stopped');
      this.callbacks.stopped(true, opts.blockCallbacks ?? false);
      return true;
    }
    const res = await pgCtlStop(this.pgCtl(), mode);
    if (res.code === 0 || !runningPostmaster(this.dataDir)) {
      this.setState('stopped');
      this.callbacks.stopped(true, opts.blockCallbacks ?? false);
      return true;
    }
    log.warning('pg_ctl stop failed: %s', res.stderr.trim());
    this.setState('stop failed');
    return false;
  }

  async promote(): Promise<boolean> {
    const res = await pgCtlPromote(this.pgCtl());
    if (res.code === 0) this.callbacks.promoted();
    if (res.code !== 0) {
      log.warning('pg_ctl promote: %s', res.stderr.trim() || res.stdout.trim());
      // Not in standby mode (already primary) counts as done; anything else failed now, not in a minute.
      const [row] = await this.conn.query<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r').catch(() => []);
      return row?.r === false;
    }
    const deadline = Date.now() + this.pgCtl().timeoutSec * 1000;
    while (Date.now() < deadline && runningPostmaster(this.dataDir)) {
      try {
        const [row] = await this.conn.query<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r');
        if (row && !row.r) {
          this.callbacks.setRole('primary');
          this.role = 'primary';
          this.upstream = null;
          return true;
        }
      } catch (e) {
        log.debug('waiting for promotion: %s', errorText(e));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  async follow(upstream: Upstream | null, role: ServerRole): Promise<boolean> {
    if (!runningPostmaster(this.dataDir)) return this.start(role, upstream);
    const inRecovery = await this.conn
      .query<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r')
      .then(([row]) => row?.r ?? null)
      .catch(() => null);
    // Postgresql.follow: a role change is announced once, instead of on_reload/on_restart.
    const changeRole = role !== 'primary' && this.callbacks.followChangesRole(role);
    let ok: boolean;
    if (inRecovery === true && (await this.majorVersion()) >= 130000) {
      await this.writeConfiguration(role, upstream);
      const res = await pgCtlReload(this.pgCtl());
      if (res.code !== 0) log.error('pg_ctl reload failed: %s', res.stderr.trim());
      ok = res.code === 0;
      if (ok) this.callbacks.reloaded(changeRole);
    } else {
      // A primary cannot become a standby, nor can old servers reload primary_conninfo: restart.
      this.callbacks.restartRequested(changeRole);
      ok = (await this.stop('fast', { checkpoint: inRecovery === false, blockCallbacks: true })) && (await this.startServer(role, upstream, true));
    }
    if (changeRole) this.callbacks.call('on_role_change', role);
    return ok;
  }

  /** Patroni's follow() when nothing needs rewriting: a replica that now holds the standby lock says so. */
  prePromote(): Promise<boolean> {
    return this.callbacks.prePromote();
  }

  setCallbackRole(role: PgRole): void {
    this.callbacks.setRole(role);
  }

  announceRole(role: ServerRole): void {
    if (role === 'standby_leader' && this.callbacks.role !== role) this.callbacks.call('on_role_change', role);
  }

  async checkpoint(): Promise<void> {
    await withClient(this.superuserTarget(0), async (c) => {
      await c.query('CHECKPOINT');
    });
  }

  /** Rewrite the files and `pg_ctl reload`; on_reload unless `blockCallbacks`. */
  async reload(blockCallbacks = false): Promise<void> {
    if (!runningPostmaster(this.dataDir)) return;
    const role = this.role ?? (existsSync(join(this.dataDir, 'standby.signal')) ? 'replica' : 'primary');
    await this.writeConfiguration(role, this.upstream ?? (await this.writtenUpstream()));
    const res = await pgCtlReload(this.pgCtl());
    if (res.code !== 0) log.error('pg_ctl reload failed: %s', res.stderr.trim());
    else this.callbacks.reloaded(blockCallbacks);
  }

  /** host/port of primary_conninfo as currently written in postgresql.conf. */
  private writtenUpstream(): Promise<Upstream | null> {
    const baseName = typeof this.cfg.postgresql.raw.config_base_name === 'string' ? this.cfg.postgresql.raw.config_base_name : 'postgresql';
    return writtenUpstream([join(configDir(this.cfg), `${baseName}.conf`), join(this.dataDir, 'recovery.conf')]);
  }

  async isFollowing(upstream: Upstream | null): Promise<boolean> {
    const current = await this.writtenUpstream();
    if (!upstream || !current) return upstream === current;
    return current.host === upstream.host && current.port === upstream.port;
  }

  /** Lock files of a dead postmaster (see removeStaleLocks) must not stop the next start or rewind. */
  /** `orphansChecked`: waitForOrphans just found none, no need to read /proc again. */
  private clearStaleLocks(orphansChecked = false): void {
    const dirs = buildStartPlan(this.cfg, this.getDynamic(), readMajorVersion(this.dataDir), 'primary', null).files.parameters.unix_socket_directories;
    const stale = removeStaleLocks(
      this.dataDir,
      (dirs ?? '')
        .split(',')
        .map((d) => d.trim())
        .filter((d) => d.startsWith('/')),
      orphansChecked,
    );
    if (stale !== null) log.info('Removed the lock files of the dead postmaster %s', stale);
  }

  /** pg_rewind from a running primary; Postgres must be shut down cleanly. True on success. */
  async rewind(from: Upstream): Promise<boolean> {
    this.clearStaleLocks(await waitForOrphans(this.dataDir, 10_000));
    return runRewind({
      binary: this.tool('pg_rewind'),
      cfg: this.cfg,
      majorVersion: await this.majorVersion(),
      from,
      writePgpass: (rec) => this.writePgpass(rec),
    });
  }

  async detachStandbys(members: string[]): Promise<void> {
    const rows = await this.conn.query<{ application_name: string }>(
      `SELECT application_name,
      pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_replication WHERE application_name = ANY($1)`,
      [members],
    );
    if (rows.length) log.info('Detached WAL senders of %s before stopping', rows.map((r) => r.application_name).join(', '));
  }

  /** Empty the data directory. Only an explicit reinitialize (REST/patronictl) asks for this. */
  async removeDataDirectory(): Promise<void> {
    if (runningPostmaster(this.dataDir)) throw new Error(`PostgreSQL is still running in ${this.dataDir}: not removing it`);
    log.info('Removing data directory: %s', this.dataDir);
    this.callbacks.setRole('uninitialized');
    clearDirectory(this.dataDir);
    this.setState('stopped');
  }

  /** Latest checkpoint location (bytes) from pg_controldata, e.g. after a clean stop. */
  async lastCheckpointLsn(): Promise<number | undefined> {
    const direct = await readCheckpointLsn(this.dataDir);
    if (direct !== null) return direct;
    const cd = await readControlData(this.tool('pg_controldata'), this.dataDir);
    return cd?.checkpointLsn;
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
