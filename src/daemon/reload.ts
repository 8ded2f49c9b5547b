// The configuration a node runs with, and its three sources: the local file (re-read on SIGHUP and
// POST /reload), the DCS /config key (every cycle), and patroni.dynamic.json (the last dynamic
// configuration, cached in the data directory for the next start). Writes that fail (disk full,
// read-only) are retried every cycle until they succeed, never thrown out of the loop.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDynamicConfig } from '../config/dynamic.js';
import { loadConfig } from '../config/loader.js';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import { dynamicConfigChange } from '../ha/core/config-change.js';
import { log } from '../log/logger.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';
import { isObject, parseJson, type JsonObject } from '../util/json.js';
import { configurePeerRequests } from '../util/patroni-request.js';
import type { WatchdogSettings } from '../watchdog/settings.js';
import type { Watchdog } from '../watchdog/watchdog.js';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface ReloadDeps {
  /** Where the config came from (undefined: environment only). */
  configPath: string | undefined;
  /** The environment the config was read with (PATRONI_* overrides). */
  env: Readonly<NodeJS.ProcessEnv>;
  /** Applies settings owned by the shell (the REST API) after a reload; throws when it cannot. */
  onReload?: (config: PatroniConfig) => Promise<void>;
  dcs: Pick<Dcs, 'setTimeouts'>;
  pg: { reload(blockCallbacks?: boolean): Promise<void>; setConfig(cfg: PatroniConfig): void };
  /** The watchdog follows ttl and loop_wait (undefined while the node is being built). */
  watchdog: () => Watchdog | undefined;
  /** The last snapshot of PostgreSQL. */
  snapshot: () => PostgresSnapshot | null;
  /** A task (bootstrap, clone, restart...) runs on the async executor. */
  taskRunning: () => boolean;
}

export class NodeConfig {
  /** The local config as last (re)loaded. */
  config: PatroniConfig;
  /** The dynamic configuration in force, from /config, the cache or bootstrap.dcs. */
  dynamic: DynamicConfig;
  private local: JsonObject;
  private reloadRequested = false;
  private pgReloadFailed = false;
  private cacheStale = false;

  constructor(
    config: PatroniConfig,
    private readonly deps: ReloadDeps,
  ) {
    this.config = config;
    this.local = config.bootstrap.dcs;
    this.dynamic = buildDynamicConfig(this.local);
  }

  /** The dynamic configuration as JSON, to publish when the DCS has none. */
  localDynamicJson(): string {
    return JSON.stringify(this.local);
  }

  watchdogSettings(): WatchdogSettings {
    const w = this.config.watchdog;
    return { mode: w.mode, driver: w.driver, device: w.device, safetyMargin: w.safety_margin, ttl: this.dynamic.ttl, loopWait: this.dynamic.loop_wait };
  }

  /** At start: the cached dynamic configuration, if any, and the timeouts it sets. */
  async start(): Promise<void> {
    await this.loadCache();
    this.applyTimeouts();
  }

  /** SIGHUP and POST /reload: re-read the local config at the start of the next cycle. */
  requestReload(): void {
    this.reloadRequested = true;
  }

  async reloadIfRequested(): Promise<void> {
    if (!this.reloadRequested) return;
    this.reloadRequested = false;
    try {
      const config = loadConfig(this.deps.configPath, this.deps.env);
      this.config = config;
      configurePeerRequests(config.raw);
      log.configure(config.log);
      this.deps.pg.setConfig(config);
      this.deps.watchdog()?.reloadConfig(this.watchdogSettings());
      await this.deps.onReload?.(config).catch((e: unknown) => log.error('Could not apply the new restapi settings: %s', errorText(e)));
      if (this.deps.snapshot()?.postmasterRunning) await this.reloadPostgres();
      log.info('Reloaded configuration');
    } catch (e) {
      log.error('Failed to reload config: %s', errorText(e));
    }
  }

  /** Each cycle that read the DCS: take a new /config key, and retry the writes that failed. */
  async onCluster(cluster: Cluster): Promise<void> {
    await this.applyDynamic(cluster);
    if (this.cacheStale) await this.saveCache();
    if (this.pgReloadFailed && this.deps.snapshot()?.postmasterRunning && !this.deps.taskRunning()) await this.reloadPostgres();
  }

  private async applyDynamic(cluster: Cluster): Promise<void> {
    const change = dynamicConfigChange(this.local, cluster.config);
    if (!change) return;
    this.local = change.data;
    this.dynamic = buildDynamicConfig(change.data);
    this.applyTimeouts();
    await this.saveCache();
    // New postgresql.parameters: rewrite postgresql.conf and reload; restart-only ones show as pending_restart.
    if (this.deps.snapshot()?.postmasterRunning && !this.deps.taskRunning()) await this.reloadPostgres(!change.postgresqlChanged);
  }

  /** Rewrite postgresql.conf and reload; a failure is reported and retried on the next cycle. */
  private async reloadPostgres(blockCallbacks = false): Promise<void> {
    try {
      await this.deps.pg.reload(blockCallbacks);
      this.pgReloadFailed = false;
    } catch (e) {
      this.pgReloadFailed = true;
      log.error('Could not write the PostgreSQL configuration or reload it, will retry: %s', errorText(e));
    }
  }

  private applyTimeouts(): void {
    this.deps.watchdog()?.reloadConfig(this.watchdogSettings());
    this.deps.dcs.setTimeouts({ ttl: this.dynamic.ttl, loopWait: this.dynamic.loop_wait, retryTimeout: this.dynamic.retry_timeout });
  }

  private cachePath(): string {
    return join(this.config.postgresql.data_dir, 'patroni.dynamic.json');
  }

  private async loadCache(): Promise<void> {
    try {
      const parsed = parseJson(await readFile(this.cachePath(), 'utf8'));
      if (isObject(parsed) && Object.keys(parsed).length) {
        this.local = parsed;
        this.dynamic = buildDynamicConfig(parsed);
      }
    } catch {
      /* no cache yet */
    }
  }

  private async saveCache(): Promise<void> {
    if (this.deps.snapshot()?.dataDir.kind !== 'present' || this.deps.taskRunning()) {
      this.cacheStale = true; // written once the data directory exists and no bootstrap/clone runs
      return;
    }
    const tmp = `${this.cachePath()}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(this.local), { mode: 0o600 });
      await rename(tmp, this.cachePath());
      this.cacheStale = false;
    } catch (e) {
      // Disk full or read-only: say so and try again next cycle.
      this.cacheStale = true;
      log.warning('Could not save patroni.dynamic.json, will retry: %s', errorText(e));
    }
  }
}
