// The controller for the local PostgreSQL: the imperative shell the HA executor drives. It owns the
// state string and wires the parts: the files it writes (config-writer.ts), starting and stopping the
// postmaster (lifecycle.ts), snapshots, slots, callbacks and bootstrap. Pure builders live in
// plan.ts/parameters.ts/conninfo.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { PostgresState } from '../dcs/cluster.js';
import { log } from '../log/logger.js';
import type { CallbackAction, CallbackRole } from '../scripts/commands.js';
import { Bootstrapper } from './bootstrapper.js';
import type { PgRole } from './callback-state.js';
import { PgCallbacks } from './callbacks.js';
import { ConfigWriter } from './config-writer.js';
import { LocalConnection } from './connection.js';
import type { PostgresController, ServerRole, StopMode, Upstream } from './controller.js';
import { readControlData, readCheckpointLsn } from './controldata.js';
import { clearDirectory, readMajorVersionAsync } from './datadir.js';
import { ServerLifecycle } from './lifecycle.js';
import { runningPostmaster } from './process.js';
import { SnapshotReader } from './read-snapshot.js';
import { SlotOps } from './slot-ops.js';
import type { PostgresSnapshot } from './snapshot.js';
import { SYNC_READING_QUERY, toSyncReading, type SyncReading, type SyncReadingRow } from './sync.js';
import { parseVersionOutput, runTool, toolPath, type ToolName } from './tools.js';

export class Postgresql implements PostgresController {
  private state: PostgresState;
  private binaryVersion = 0;
  private readonly conn: LocalConnection;
  private readonly snapshots: SnapshotReader;
  /** postgresql.conf, recovery settings and .pgpass, and what was last written (config-writer.ts). */
  private readonly files: ConfigWriter;
  /** start/stop/restart/promote/follow/reload/rewind of the postmaster (lifecycle.ts). */
  private readonly server: ServerLifecycle;
  /** Replication slot operations (SlotManager drives them). */
  readonly slots: SlotOps;
  /** Callbacks fired by start/stop/restart/reload/promote/follow, as Patroni's Postgresql fires them. */
  readonly callbacks: PgCallbacks;
  /** initdb or the custom bootstrap method, replica creation, post_bootstrap (Patroni's Bootstrap). */
  private readonly boot: Bootstrapper;

  constructor(
    private cfg: PatroniConfig,
    getDynamic: () => DynamicConfig,
  ) {
    this.files = new ConfigWriter({
      config: () => this.cfg,
      dynamic: getDynamic,
      tool: (t) => this.tool(t),
      majorVersion: () => this.majorVersion(),
      customBootstrap: () => this.boot.custom,
    });
    this.conn = new LocalConnection(() => this.files.superuserTarget());
    this.state = runningPostmaster(this.dataDir) ? 'running' : 'stopped';
    const fromDir: PgRole =
      existsSync(join(this.dataDir, 'standby.signal')) || existsSync(join(this.dataDir, 'recovery.conf'))
        ? 'replica'
        : existsSync(join(this.dataDir, 'PG_VERSION'))
          ? 'primary'
          : 'uninitialized';
    this.callbacks = new PgCallbacks(() => this.cfg, fromDir);
    this.server = new ServerLifecycle({
      config: () => this.cfg,
      state: () => this.state,
      setState: (st) => this.setState(st),
      tool: (t) => this.tool(t),
      majorVersion: () => this.majorVersion(),
      customBootstrap: () => this.boot.custom !== null,
      conn: this.conn,
      callbacks: this.callbacks,
      files: this.files,
    });
    this.snapshots = new SnapshotReader({
      dataDir: () => this.dataDir,
      pgControlData: () => this.tool('pg_controldata'),
      conn: this.conn,
      state: () => this.state,
      setState: (st) => this.setState(st),
      startInProgress: () => this.server.startInProgress,
      pendingCommandLineChanges: (v) => this.files.pendingCommandLineChanges(v),
    });
    this.slots = new SlotOps(
      this.conn,
      (database) => ({ ...this.files.superuserTarget(0), database }),
      () => this.majorVersion(),
    );
    this.boot = new Bootstrapper({
      config: () => this.cfg,
      setState: (st) => this.setState(st),
      tool: (t) => this.tool(t),
      writePgpass: (rec) => this.files.writePgpass(rec),
      majorVersion: () => this.majorVersion(),
      superuserTarget: () => this.files.superuserTarget(0),
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

  /** Major version of the data dir, else of the installed binaries (`postgres -V`). */
  async majorVersion(): Promise<number> {
    const fromDir = await readMajorVersionAsync(this.dataDir);
    if (fromDir) return fromDir;
    if (!this.binaryVersion) this.binaryVersion = parseVersionOutput((await runTool(this.tool('postgres'), ['-V'])).stdout);
    return this.binaryVersion;
  }

  /** The local PostgreSQL now (read-snapshot.ts). */
  snapshot(): Promise<PostgresSnapshot> {
    return this.snapshots.read();
  }

  start(role: ServerRole, upstream: Upstream | null): Promise<boolean> {
    return this.server.start(role, upstream);
  }
  restart(role: ServerRole, upstream: Upstream | null, blockCallbacks = false): Promise<boolean> {
    return this.server.restart(role, upstream, blockCallbacks);
  }
  stop(mode: StopMode, opts: { checkpoint?: boolean; stopTimeout?: number; blockCallbacks?: boolean } = {}): Promise<boolean> {
    return this.server.stop(mode, opts);
  }
  promote(): Promise<boolean> {
    return this.server.promote();
  }
  follow(upstream: Upstream | null, role: ServerRole): Promise<boolean> {
    return this.server.follow(upstream, role);
  }
  checkpoint(): Promise<void> {
    return this.server.checkpoint();
  }
  reload(blockCallbacks = false): Promise<void> {
    return this.server.reload(blockCallbacks);
  }
  rewind(from: Upstream): Promise<boolean> {
    return this.server.rewind(from);
  }
  isFollowing(upstream: Upstream | null): Promise<boolean> {
    return this.files.isFollowing(upstream);
  }

  /** A callback the HA cycle decided on (run_callback). */
  runCallback(action: CallbackAction, role: CallbackRole, endBootstrap: boolean): void {
    if (endBootstrap) this.callbacks.setBootstrapping(false);
    this.callbacks.call(action, role);
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

  /** The synchronous-replication step's view of this primary (Ha.process_sync_replication). */
  async readSync(): Promise<SyncReading> {
    const [row] = await this.conn.query<SyncReadingRow & Record<string, unknown>>(SYNC_READING_QUERY);
    if (!row) throw new Error('no answer to the synchronous replication query');
    return toSyncReading(row);
  }

  /** Rewrite postgresql.conf with these names (undefined: back to the user's parameter) and reload. */
  async setSynchronousStandbyNames(value: string | null | undefined): Promise<void> {
    if (this.files.setStandbyNames(value)) await this.reload(true);
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
