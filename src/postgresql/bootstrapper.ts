// Patroni's Bootstrap object for our controller: initdb or the custom bootstrap method, replica
// creation, post_bootstrap, and setting a failed bootstrap's data aside. Holds the one piece of
// state between them: the custom bootstrap's recovery settings until post_bootstrap has run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PatroniConfig } from '../config/types.js';
import type { PostgresState } from '../dcs/cluster.js';
import { log } from '../log/logger.js';
import { restoreConfigurationFiles } from './backups.js';
import { runBasebackup } from './basebackup.js';
import { createReplica, customBootstrap, moveDataDirectory, runPostBootstrap, type CustomBootstrapState } from './bootstrap-methods.js';
import type { PgCallbacks } from './callbacks.js';
import { withClient, type ConnectTarget } from './connection.js';
import type { PgpassRecord } from './conninfo.js';
import type { Upstream } from './controller.js';
import { runInitdb } from './initdb.js';
import { BASEBACKUP_FORBIDDEN, userOptions } from './options.js';
import { configDir } from './plan.js';
import { runningPostmaster } from './process.js';
import type { ToolName } from './tools.js';
import { setupUsers } from './users.js';

export interface BootstrapperHost {
  config(): PatroniConfig;
  setState(state: PostgresState): void;
  tool(name: ToolName): string;
  writePgpass(rec: PgpassRecord | null): NodeJS.ProcessEnv;
  majorVersion(): Promise<number>;
  superuserTarget(): ConnectTarget;
  /** Rewrite the configuration files and reload, without callbacks. */
  reloadQuietly(): Promise<void>;
  removeDataDirectory(): Promise<void>;
  readonly callbacks: PgCallbacks;
}

export class Bootstrapper {
  private customState: CustomBootstrapState | null = null;

  constructor(private readonly host: BootstrapperHost) {}

  /** Set between a custom bootstrap method and the end of post_bootstrap: what the first start writes. */
  get custom(): CustomBootstrapState | null {
    return this.customState;
  }

  /** bootstrap.method: a custom method's command, or initdb (Bootstrap.bootstrap). No callbacks until the cluster is initialized. */
  async bootstrap(): Promise<void> {
    this.host.callbacks.setBootstrapping(true);
    this.customState = await customBootstrap({
      cfg: this.host.config(),
      setState: (st) => this.host.setState(st),
      localHost: this.host.superuserTarget().host,
    });
    if (!this.customState) await this.initdb();
  }

  async initdb(): Promise<void> {
    const cfg = this.host.config();
    this.host.setState('initializing new cluster');
    try {
      await runInitdb({
        binary: this.host.tool('initdb'),
        dataDir: cfg.postgresql.data_dir,
        configDir: configDir(cfg),
        superuser: cfg.postgresql.authentication.superuser,
        bootstrap: cfg.bootstrap,
        hasPgHba: cfg.postgresql.pg_hba !== undefined,
      });
    } catch (e) {
      this.host.setState('initdb failed');
      throw e;
    }
    this.host.setState('stopped');
  }

  /**
   * Bootstrap.create_replica: the methods in order (the HA core chose the list), falling back to the
   * next on failure. `from` null: only methods that need no replication connection (no_leader).
   */
  async createReplica(from: Upstream | null, methods: string[], signal?: AbortSignal): Promise<boolean> {
    const cfg = this.host.config();
    const ok = await createReplica({
      cfg,
      from,
      methods,
      ...(signal ? { signal } : {}),
      majorVersion: await this.host.majorVersion(),
      setState: (st) => this.host.setState(st),
      writePgpass: (rec) => this.host.writePgpass(rec),
      removeDataDirectory: () => this.host.removeDataDirectory(),
      basebackup: async (dsn, env) =>
        runBasebackup({
          binary: this.host.tool('pg_basebackup'),
          dataDir: cfg.postgresql.data_dir,
          dsn,
          env,
          ...(signal ? { signal } : {}),
          userOptions: userOptions('basebackup', cfg.postgresql.basebackup, BASEBACKUP_FORBIDDEN, (msg) => log.error(msg)),
        }),
    });
    if (ok) restoreConfigurationFiles(configDir(cfg), cfg.postgresql.data_dir);
    return ok;
  }

  /** Roles and passwords, then post_bootstrap; after a custom bootstrap, the normal configuration again. */
  async postBootstrap(): Promise<void> {
    const cfg = this.host.config();
    const auth = cfg.postgresql.authentication;
    const majorVersion = await this.host.majorVersion();
    const target = this.host.superuserTarget();
    await withClient(target, async (c) => {
      await setupUsers(c, { superuser: auth.superuser, replication: auth.replication, rewind: auth.rewind, majorVersion });
      // Flush what initdb and the users left dirty now (cheap, immediate): the replicas' pg_basebackup
      // then gets its spread checkpoint at once instead of paced over a fraction of a second.
      await c.query('CHECKPOINT');
    });
    const ok = await runPostBootstrap({ cfg, host: target.host, port: target.port, writePgpass: (rec) => this.host.writePgpass(rec) });
    if (!ok) throw new Error('post_bootstrap script failed');
    if (this.customState) {
      // The restored pg_hba.conf again, the passwords now being ours; no recovery configuration any more.
      const { originalHba } = this.customState;
      if (originalHba !== null) writeFileSync(join(configDir(cfg), 'pg_hba.conf'), originalHba);
      this.customState = null;
      await this.host.reloadQuietly();
    }
  }

  /** A failed bootstrap's data directory goes aside as `<data_dir>.failed` (Postgresql.move_data_directory). */
  async moveDataDirectory(): Promise<void> {
    this.customState = null;
    const dataDir = this.host.config().postgresql.data_dir;
    if (runningPostmaster(dataDir)) return;
    moveDataDirectory(dataDir);
    this.host.callbacks.setRole('uninitialized');
    this.host.setState('stopped');
  }
}
