// Starting, stopping, promoting and re-pointing the local postmaster, with the callbacks Patroni's
// Postgresql fires around each (start/stop/restart/promote/follow/reload), and the readiness waits.
// The files each start writes come from ConfigWriter; the controller (postgres.ts) owns the state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PatroniConfig } from '../config/types.js';
import type { PostgresState } from '../dcs/cluster.js';
import { log } from '../log/logger.js';
import { saveConfigurationFiles } from './backups.js';
import type { PgCallbacks } from './callbacks.js';
import type { ConfigWriter } from './config-writer.js';
import { withClient, type LocalConnection } from './connection.js';
import type { ServerRole, StopMode, Upstream } from './controller.js';
import { configDir } from './plan.js';
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
import { runRewind } from './rewind.js';
import type { ToolName } from './tools.js';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function logTail(file: string, lines: number): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

export interface LifecycleHost {
  config(): PatroniConfig;
  state(): PostgresState;
  setState(state: PostgresState): void;
  tool(name: ToolName): string;
  majorVersion(): Promise<number>;
  /** A custom bootstrap's first start is still pending (its recovery may take long). */
  customBootstrap(): boolean;
  readonly conn: LocalConnection;
  readonly callbacks: PgCallbacks;
  readonly files: ConfigWriter;
}

export class ServerLifecycle {
  private starting = false;

  constructor(private readonly host: LifecycleHost) {}

  /** A start is running (pg_ctl start has not returned): the snapshot must not call a missing server a crash. */
  get startInProgress(): boolean {
    return this.starting;
  }

  private get dataDir(): string {
    return this.host.config().postgresql.data_dir;
  }
  private pgCtl(): PgCtl {
    const pgc = this.host.config().postgresql;
    return { binary: this.host.tool('pg_ctl'), dataDir: this.dataDir, timeoutSec: pgc.pg_ctl_timeout || 60 };
  }

  /**
   * Start in a role. A replica or standby leader starts the way Patroni's follow() starts it: a
   * demoted primary (or a role swap between replica and standby leader) announces on_role_change
   * instead of on_start.
   */
  async start(role: ServerRole, upstream: Upstream | null): Promise<boolean> {
    if (role === 'primary') return this.startServer(role, upstream, false);
    const changeRole = this.host.callbacks.followChangesRole(role);
    const ok = await this.startServer(role, upstream, changeRole);
    if (changeRole) this.host.callbacks.call('on_role_change', role);
    return ok;
  }

  /** Stop and start again in a role; on_restart once it accepts connections (Postgresql.restart). */
  async restart(role: ServerRole, upstream: Upstream | null, blockCallbacks = false): Promise<boolean> {
    this.host.setState('restarting');
    this.host.callbacks.restartRequested(blockCallbacks);
    return (await this.stop('fast', { blockCallbacks: true })) && this.startServer(role, upstream, true);
  }

  private async startServer(role: ServerRole, upstream: Upstream | null, blockCallbacks: boolean): Promise<boolean> {
    const { callbacks, files } = this.host;
    await this.host.conn.close();
    if (runningPostmaster(this.dataDir)) {
      log.error('Cannot start PostgreSQL because one is already running.');
      this.host.setState('starting');
      return true;
    }
    callbacks.startRequested(role, blockCallbacks);
    // Recovery to a target can take long: say what the start is for (Patroni's BOOTSTRAP_STARTING).
    this.host.setState(this.host.customBootstrap() ? 'starting after custom bootstrap' : 'starting');
    this.starting = true;
    if (role !== 'primary') files.releaseStandbyNames();
    try {
      const noOrphans = await waitForOrphans(this.dataDir, 10_000);
      if (!noOrphans) log.warning('processes of the crashed postmaster are still running in %s', this.dataDir);
      this.clearStaleLocks(noOrphans);
      const options = await files.write(role, upstream);
      const logFile = join(this.dataDir, 'postgresql.log');
      const res = await pgCtlStart(this.pgCtl(), options, logFile);
      if (res.code === 0) {
        files.started(options);
        this.host.setState('running');
        callbacks.started();
        saveConfigurationFiles(configDir(this.host.config()), this.dataDir);
        return true;
      }
      log.error('pg_ctl start failed: %s', res.stderr.trim() || res.stdout.trim());
      for (const line of logTail(logFile, 10)) log.error('postgres: %s', line);
      if (!runningPostmaster(this.dataDir)) this.host.setState('start failed');
      return false;
    } finally {
      this.starting = false;
    }
  }

  /**
   * Postgresql.stop: CHECKPOINT first when asked, then before_stop, then pg_ctl stop; on_stop when
   * a running postmaster was stopped, except inside a restart (`blockCallbacks`).
   */
  async stop(mode: StopMode, opts: { checkpoint?: boolean; stopTimeout?: number; blockCallbacks?: boolean } = {}): Promise<boolean> {
    const { callbacks } = this.host;
    if (!runningPostmaster(this.dataDir)) {
      this.host.setState('stopped');
      return true;
    }
    if (opts.checkpoint && !this.host.state().startsWith('starting'))
      await this.checkpoint().catch((e) => log.error('Exception during CHECKPOINT: %s', errorText(e)));
    this.host.setState('stopping');
    await callbacks.beforeStop();
    await this.host.conn.close();
    if (opts.stopTimeout) {
      // primary_stop_timeout (Postgresql._do_stop with stop_timeout): bounded, then immediate, then SIGKILL.
      const gone = await stopWithin(this.dataDir, mode, opts.stopTimeout);
      this.host.setState(gone ? 'stopped' : 'stop failed');
      if (gone) callbacks.stopped(true, opts.blockCallbacks ?? false);
      return gone;
    }
    if ((await signalStop(this.dataDir, mode, this.pgCtl().timeoutSec * 1000)) === 'gone') {
      this.host.setState('stopped');
      callbacks.stopped(true, opts.blockCallbacks ?? false);
      return true;
    }
    const res = await pgCtlStop(this.pgCtl(), mode);
    if (res.code === 0 || !runningPostmaster(this.dataDir)) {
      this.host.setState('stopped');
      callbacks.stopped(true, opts.blockCallbacks ?? false);
      return true;
    }
    log.warning('pg_ctl stop failed: %s', res.stderr.trim());
    this.host.setState('stop failed');
    return false;
  }

  async promote(): Promise<boolean> {
    const { conn, callbacks } = this.host;
    const res = await pgCtlPromote(this.pgCtl());
    if (res.code === 0) callbacks.promoted();
    if (res.code !== 0) {
      log.warning('pg_ctl promote: %s', res.stderr.trim() || res.stdout.trim());
      // Not in standby mode (already primary) counts as done; anything else failed now, not in a minute.
      const [row] = await conn.query<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r').catch(() => []);
      return row?.r === false;
    }
    const deadline = Date.now() + this.pgCtl().timeoutSec * 1000;
    while (Date.now() < deadline && runningPostmaster(this.dataDir)) {
      try {
        const [row] = await conn.query<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r');
        if (row && !row.r) {
          callbacks.setRole('primary');
          this.host.files.promoted();
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
    const { conn, callbacks } = this.host;
    if (!runningPostmaster(this.dataDir)) return this.start(role, upstream);
    const inRecovery = await conn
      .query<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r')
      .then(([row]) => row?.r ?? null)
      .catch(() => null);
    // Postgresql.follow: a role change is announced once, instead of on_reload/on_restart.
    const changeRole = role !== 'primary' && callbacks.followChangesRole(role);
    let ok: boolean;
    if (inRecovery === true && (await this.host.majorVersion()) >= 130000) {
      await this.host.files.write(role, upstream);
      const res = await pgCtlReload(this.pgCtl());
      if (res.code !== 0) log.error('pg_ctl reload failed: %s', res.stderr.trim());
      ok = res.code === 0;
      if (ok) callbacks.reloaded(changeRole);
    } else {
      // A primary cannot become a standby, nor can old servers reload primary_conninfo: restart.
      callbacks.restartRequested(changeRole);
      ok = (await this.stop('fast', { checkpoint: inRecovery === false, blockCallbacks: true })) && (await this.startServer(role, upstream, true));
    }
    if (changeRole) callbacks.call('on_role_change', role);
    return ok;
  }

  async checkpoint(): Promise<void> {
    await withClient(this.host.files.superuserTarget(0), async (c) => {
      await c.query('CHECKPOINT');
    });
  }

  /** Rewrite the files and `pg_ctl reload`; on_reload unless `blockCallbacks`. */
  async reload(blockCallbacks = false): Promise<void> {
    if (!runningPostmaster(this.dataDir)) return;
    await this.host.files.rewrite();
    const res = await pgCtlReload(this.pgCtl());
    if (res.code !== 0) log.error('pg_ctl reload failed: %s', res.stderr.trim());
    else this.host.callbacks.reloaded(blockCallbacks);
  }

  /** Lock files of a dead postmaster (see removeStaleLocks) must not stop the next start or rewind. */
  /** `orphansChecked`: waitForOrphans just found none, no need to read /proc again. */
  private clearStaleLocks(orphansChecked = false): void {
    const stale = removeStaleLocks(this.dataDir, this.host.files.socketDirectories(), orphansChecked);
    if (stale !== null) log.info('Removed the lock files of the dead postmaster %s', stale);
  }

  /** pg_rewind from a running primary; Postgres must be shut down cleanly. True on success. */
  async rewind(from: Upstream): Promise<boolean> {
    this.clearStaleLocks(await waitForOrphans(this.dataDir, 10_000));
    return runRewind({
      binary: this.host.tool('pg_rewind'),
      cfg: this.host.config(),
      majorVersion: await this.host.majorVersion(),
      from,
      writePgpass: (rec) => this.host.files.writePgpass(rec),
    });
  }
}
