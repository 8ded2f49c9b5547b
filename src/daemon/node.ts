// One patroni-ts node: the HA loop around runCycle() (src/ha/shell/cycle.ts). Provides the world a
// cycle reads and writes, publishes the member key, keeps the lease fence armed while the decision
// says we lead, then sleeps until loop_wait passes or the DCS reports a change worth acting on.
// No judgement here: what to read, who leads and what the fence does are the core's answers.
import { readFile, stat, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { scheduledRestartJson } from '../api/restart-request.js';
import type { DecisionExplanation } from '../api/context.js';
import { buildDynamicConfig } from '../config/dynamic.js';
import { loadConfig } from '../config/loader.js';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { AsyncTask, Decision } from '../ha/core/decision.js';
import { buildHistory, historyNeedsUpdate, isoWithOffset, parseHistoryFile } from '../ha/core/history.js';
import { INITIAL_MEMORY, initialMemory, type AsyncOutcome, type AsyncState, type HaMemory, type NodeIdentity } from '../ha/core/input.js';
import { fenceArmed, leaseExpired } from '../ha/core/leadership.js';
import { buildMemberData } from '../ha/core/member-data.js';
import { slotRole } from '../ha/core/slots-step.js';
import { AsyncRunner, type TaskResult } from '../ha/shell/async-runner.js';
import { runCycle, type CycleWorld } from '../ha/shell/cycle.js';
import { applyMemoryPatch, execute, type ExecutorDeps } from '../ha/shell/executor.js';
import { runTask, type TaskPostgres } from '../ha/shell/tasks.js';
import { SyncReplication, type SyncPostgres } from '../ha/shell/sync-process.js';
import { SlotManager, type SlotPostgres } from '../ha/shell/slots-process.js';
import { log } from '../log/logger.js';
import { configurePeerRequests } from '../util/patroni-request.js';
import { isSessionLoss } from '../postgresql/errors.js';
import { LibpqError } from '../postgresql/libpq.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';
import { isObject, parseJson, type JsonObject } from '../util/json.js';
import { worksWithoutLeader } from '../scripts/commands.js';
import { PATRONI_VERSION } from '../version.js';
import { LeaseFence } from './lease-fence.js';
import { Watchdog } from '../watchdog/watchdog.js';
import type { WatchdogSettings } from '../watchdog/settings.js';
import { failsafeActive, failsafeHeartbeat, failsafeKeyValue, withFailsafeLeader, type FailsafeSeen } from '../ha/core/failsafe.js';
import { stopTimeout } from '../ha/core/stop-timeout.js';
import { askFailsafeMembers } from './failsafe-check.js';
import { probePeers } from './peers.js';
import { urls } from './identity.js';

const BLIND_RECHECK_MS = 200;

export interface NodeDeps {
  config: PatroniConfig;
  /** Where the config came from, for reloads (undefined: environment only). */
  configPath: string | undefined;
  /** The environment the config was read with (PATRONI_* overrides), for reloads; default process.env. */
  env?: Readonly<NodeJS.ProcessEnv>;
  /** Applies settings owned by the shell (the REST API) after a reload; throws when it cannot. */
  onReload?: (config: PatroniConfig) => Promise<void>;
  dcs: Dcs;
  pg: TaskPostgres & SyncPostgres & { slots: SlotPostgres; setConfig(cfg: PatroniConfig): void };
}

export class HaNode {
  /** Written only by the executor (set_memory actions); read-only to everything else. */
  private readonly mem: HaMemory = { ...INITIAL_MEMORY };
  cluster: Cluster | null = null;
  snapshot: PostgresSnapshot | null = null;
  dynamic: DynamicConfig;
  lastDecision: Decision | null = null;
  /** The last cycle as GET /explain shows it. */
  lastExplanation: DecisionExplanation | null = null;
  lastMessage = '';
  lastCycleAt = 0;
  lastDcsSeen = 0;
  /** is_leader(): true for ttl seconds after the last successful lock update. */
  leaderUntil = 0;
  private readonly runner = new AsyncRunner(() => this.deps.dcs.wakeup());
  private readonly fence = new LeaseFence(async () => {
    const d = leaseExpired(this.dynamic, this.snapshot);
    if (!d) return;
    this.leaderUntil = 0;
    this.deps.dcs.lease?.holdUntil(null);
    await this.apply(d);
    this.watchdog.disable();
    this.deps.dcs.wakeup();
  });
  readonly watchdog: Watchdog;
  /** Failsafe: the leader's last heartbeat this member accepted (POST /failsafe). */
  failsafeSeen: FailsafeSeen | null = null;
  /** Failsafe: when this leader last passed the failsafe check (0: not active). */
  private failsafeCheckedAt = 0;
  private readonly syncReplication: SyncReplication;
  private readonly slots: SlotManager;
  private stopping = false;
  private lastCycleBlind = false;
  private reloadRequested = false;
  private pgReloadFailed = false;
  private dynamicCacheStale = false;
  private localDynamic: JsonObject;

  constructor(private readonly deps: NodeDeps) {
    const { config } = deps;
    this.localDynamic = config.bootstrap.dcs;
    this.dynamic = buildDynamicConfig(this.localDynamic);
    this.syncReplication = new SyncReplication(deps.pg, deps.dcs);
    this.slots = new SlotManager(deps.pg.slots);
    try {
      this.watchdog = new Watchdog(this.watchdogSettings());
    } catch (e) {
      log.error('%s', e instanceof Error ? e.message : String(e));
      process.exit(1);
    }
    deps.dcs.lease?.onRefreshed((sentAt) => this.leaseRenewed(sentAt));
  }

  /** The lease timer renewed our lease between cycles: while we lead, is_leader and the fence move on. */
  private leaseRenewed(sentAt: number): void {
    if (this.leaderUntil === 0) return;
    this.leaderUntil = Math.max(this.leaderUntil, sentAt + this.dynamic.ttl * 1000);
    if (fenceArmed(true, this.dynamic)) this.fence.arm(sentAt, this.dynamic.ttl);
  }

  private watchdogSettings(): WatchdogSettings {
    const w = this.deps.config.watchdog;
    return { mode: w.mode, driver: w.driver, device: w.device, safetyMargin: w.safety_margin, ttl: this.dynamic.ttl, loopWait: this.dynamic.loop_wait };
  }

  /** failsafe_mode_is_active: on the leader a passed check, on a member an accepted heartbeat, within ttl. */
  failsafeIsActive(now = Date.now()): boolean {
    return failsafeActive(Math.max(this.failsafeCheckedAt, this.failsafeSeen?.at ?? 0), now, this.dynamic.ttl);
  }

  get name(): string { return this.deps.config.name; }
  get memory(): Readonly<HaMemory> { return this.mem; }
  /** The task on the async executor now (null when idle). */
  get runningTask(): AsyncState | null { return this.runner.current; }
  /** The local config as last (re)loaded. */
  get config(): PatroniConfig { return this.deps.config; }

  /** Who this node is for decide(), from the config as last (re)loaded. */
  identityNow(): NodeIdentity {
    const config = this.deps.config;
    const u = urls(config);
    return {
      name: config.name, tags: config.tags, apiUrl: u.apiUrl, connUrl: u.connUrl,
      // Only a node whose local config has a bootstrap section may initialise a new cluster.
      canBootstrap: 'bootstrap' in config.raw,
      usePgRewind: this.dynamic.use_pg_rewind,
      removeDataDirOnDivergedTimelines: config.postgresql.remove_data_directory_on_diverged_timelines,
      removeDataDirOnRewindFailure: config.postgresql.remove_data_directory_on_rewind_failure,
      replicaMethods: config.postgresql.create_replica_methods,
      // Any postgresql.<method> section may be named by standby_cluster.create_replica_methods too.
      noLeaderMethods: Object.entries(config.postgresql.raw).filter(([m, v]) => isObject(v) && worksWithoutLeader(m, v)).map(([m]) => m),
    };
  }

  /** Run a task on the async slot outside a cycle (REST actions); the busy task's name when refused. */
  startTask(task: AsyncTask): string | null {
    const busy = this.runner.run(task, (signal) => runTask(task, this.deps.pg, this.deps.dcs, signal));
    this.deps.dcs.wakeup();
    return busy;
  }

  /** Carry out a decision made outside a cycle (REST requests, the lease fence). */
  async apply(d: Decision): Promise<void> {
    await execute(d, this.executorDeps(this.cluster, this.snapshot, null));
  }

  /** A decision that only changes memory, applied at once (REST requests answer synchronously). */
  remember(d: Decision): void {
    for (const a of d.actions) if (a.type === 'set_memory') applyMemoryPatch(this.mem, a.patch);
  }

  waitTask(timeoutMs: number): Promise<boolean | 'timeout'> { return this.runner.wait(timeoutMs); }

  /** POST /reinitialize with force: cancel the running task (its scripts and tools are killed). */
  cancelTask(): boolean { return this.runner.cancel(); }

  freshCluster(): Promise<Cluster> { return this.deps.dcs.getCluster({ fresh: true }); }

  /** SIGHUP and POST /reload: re-read the local config at the start of the next cycle. */
  requestReload(): void {
    this.reloadRequested = true;
    this.deps.dcs.wakeup();
  }
  isLeader(now = Date.now()): boolean { return this.leaderUntil > now; }

  async start(): Promise<void> {
    await this.loadDynamicCache();
    this.applyTimeouts();
    this.snapshot = await this.deps.pg.snapshot();
    applyMemoryPatch(this.mem, initialMemory(this.snapshot));
  }

  /** Run cycles until stop(). */
  async loop(): Promise<void> {
    let nextRun = Date.now();
    while (!this.stopping) {
      await this.cycleSafely();
      if (this.stopping) break;
      nextRun += this.dynamic.loop_wait * 1000;
      const now = Date.now();
      if (nextRun <= now) {
        log.info('Loop time exceeded, rescheduling immediately.');
        nextRun = now;
        continue;
      }
      // Followers wake half a second after the leader so they see its fresh update.
      const extra = this.cluster?.leader && this.cluster.leader.name !== this.name && !this.runner.current ? 500 : 0;
      // A postmaster that looked alive but did not answer is usually one still dying (SIGKILL: its
      // sessions drop before it is a zombie): look again shortly, once, instead of a loop_wait later.
      const blind = !!this.snapshot?.postmasterRunning && !this.snapshot.server && !this.runner.current;
      const recheck = blind && !this.lastCycleBlind;
      this.lastCycleBlind = blind;
      const wait = nextRun - now + extra;
      const woken = await this.deps.dcs.watch(recheck ? Math.min(wait, BLIND_RECHECK_MS) : wait);
      if (woken || recheck) nextRun = Date.now();
    }
  }

  private async cycleSafely(): Promise<void> {
    try {
      const msg = await this.runCycle();
      this.lastMessage = msg;
      log.info(msg);
    } catch (e) {
      if (isSessionLoss(e) || e instanceof LibpqError) {
        // A shutdown, restart or demotion ended our session, or the server is not up yet: normal.
        const msg = 'Error communicating with PostgreSQL. Will try again later';
        this.lastMessage = msg;
        log.info(msg);
        log.debug('PostgreSQL session: %s', e instanceof Error ? e.message : String(e));
        return;
      }
      // Ha.run_cycle: the traceback (as log.traceback_level says), then the cycle's status line.
      log.exception('Unexpected exception', e);
      this.lastMessage = 'Unexpected exception raised, please report it as a BUG';
      log.info(this.lastMessage);
    }
  }

  async runCycle(): Promise<string> {
    this.lastCycleAt = Date.now();
    if (this.reloadRequested) await this.reloadLocalConfig();
    const { decision, executed, cluster } = await runCycle(this.world);
    this.lastDecision = decision;
    if (cluster && executed.leaderHeld) {
      // Ha._run_cycle: a leader with the DCS reachable is not in failsafe mode, nor following a heartbeat.
      this.failsafeCheckedAt = 0;
      this.failsafeSeen = null;
    }
    // The lease lasts ttl from its last acknowledged renewal (by this cycle or the lease timer). Leading
    // without the DCS (failsafe check passed): the members accepted during this cycle, so count from its start.
    const renewedAt = cluster ? this.deps.dcs.lease?.lastRefreshSentAt() || this.lastCycleAt : this.lastCycleAt;
    this.leaderUntil = executed.leaderHeld ? renewedAt + this.dynamic.ttl * 1000 : 0;
    if (fenceArmed(executed.leaderHeld, this.dynamic)) this.fence.arm(renewedAt, this.dynamic.ttl);
    else this.fence.disarm();
    // Kept alive between cycles while a cycle that reached the DCS vouches: one overdue by a ttl loses it.
    this.deps.dcs.lease?.holdUntil(cluster ? this.lastCycleAt + (this.dynamic.loop_wait + this.dynamic.ttl) * 1000 : null);
    if (!cluster) return executed.message;
    await this.touchMember();
    const at = new Date(this.lastCycleAt).toISOString();
    const reasons = decision.reasons ?? [];
    this.lastExplanation = {
      at, message: executed.message, steps: executed.steps, reasons,
      lastWeighing: reasons.length ? { at, message: executed.message, reasons } : this.lastExplanation?.lastWeighing ?? null,
    };
    return executed.message;
  }

  private readonly world: CycleWorld = {
    now: () => Date.now(),
    identity: () => this.identityNow(),
    config: () => this.dynamic,
    memory: this.mem,
    runner: this.runner,
    readCluster: async () => {
      // Failsafe.update_cluster: a leader whose heartbeat arrived within ttl counts as the leader.
      const cluster = withFailsafeLeader(await this.deps.dcs.getCluster(), this.failsafeSeen, Date.now(), this.dynamic.ttl, this.dynamic.failsafe_mode);
      this.lastDcsSeen = Date.now();
      return cluster;
    },
    onCluster: async (cluster) => {
      this.cluster = cluster;
      await this.applyDynamic(cluster);
      // Writes that failed (disk full, read-only) are retried every cycle until they succeed.
      if (this.dynamicCacheStale) await this.saveDynamicCache();
      if (this.pgReloadFailed && this.snapshot?.postmasterRunning && !this.runner.current) await this.reloadPostgres();
    },
    snapshot: async () => (this.snapshot = await this.deps.pg.snapshot()),
    lastSnapshot: () => this.snapshot,
    probePeers: (cluster) => probePeers(cluster, this.name, 2000, this.dynamic.failsafe_mode ? cluster.failsafe ?? {} : {}),
    watchdog: () => ({ mode: this.watchdog.settings.mode, running: this.watchdog.isRunning, active: this.watchdog.isActive, healthy: this.watchdog.isHealthy }),
    lastCluster: () => this.cluster,
    failsafeSeen: () => this.failsafeSeen,
    localSlots: () => this.slots.localSlots(),
    executorDeps: (cluster, snapshot, seen) => this.executorDeps(cluster, snapshot, seen),
  };

  private executorDeps(cluster: Cluster | null, snapshot: PostgresSnapshot | null, seenOutcome: AsyncOutcome | null): ExecutorDeps {
    const { dcs, pg } = this.deps;
    return {
      dcs, pg, runner: this.runner, memory: this.mem, seenOutcome, cluster,
      walLsn: () => snapshot?.server?.walLsn,
      slotStatus: () => this.slots.status,
      touchMember: () => this.touchMember(),
      localDynamicConfig: () => JSON.stringify(this.localDynamic),
      updateHistory: () => (cluster && snapshot ? this.updateHistory(cluster, snapshot) : Promise.resolve()),
      syncSlots: (memory, view) => {
        const s = snapshot?.server;
        const on = view ?? cluster;
        if (!s || !on) return Promise.resolve(memory);
        return this.slots.sync(on, this.dynamic, this.name, this.deps.config.tags, slotRole(s.inRecovery, this.mem.role), s.walLsn, s.replayLsn ?? s.walLsn, Date.now(), memory);
      },
      syncReplication: (memory, save) => (cluster ? this.syncReplication.process(cluster, this.dynamic, this.name, memory, save) : Promise.resolve()),
      claimSync: (key, names) => (cluster ? this.syncReplication.beforePromote(cluster, this.dynamic, this.name, key, names) : Promise.resolve(false)),
      runTask: (task, signal) => this.runTaskWithWatchdog(task, signal),
      exit: (code, reason) => this.exit(code, reason),
      watchdog: this.watchdog,
      failsafeKey: () => (this.dynamic.failsafe_mode && cluster ? { failsafe: failsafeKeyValue(cluster, { name: this.name, apiUrl: urls(this.deps.config).apiUrl }) } : {}),
      failsafeCheck: async (members) => {
        // Every member must accept this node as the leader; their acceptance holds them off racing for ttl.
        const heartbeat = failsafeHeartbeat({ name: this.name, ...urls(this.deps.config) }, await this.slots.localSlots(), snapshot?.server?.walLsn ?? null);
        return (await askFailsafeMembers(members, { ...heartbeat })).every(Boolean);
      },
      failsafeKept: () => {
        this.failsafeCheckedAt = Date.now();
        this.watchdog.keepalive();
      },
    };
  }

  /** A demotion ends this node's time as primary: the watchdog is closed once PostgreSQL stopped. */
  private async runTaskWithWatchdog(task: AsyncTask, signal?: AbortSignal): Promise<TaskResult> {
    const ok = await runTask(task, this.deps.pg, this.deps.dcs, signal);
    if (task.kind === 'demote' && task.mode !== 'demote-cluster') this.watchdog.disable();
    return ok;
  }

  async touchMember(): Promise<void> {
    if (!this.snapshot) return;
    const u = urls(this.deps.config);
    const data = buildMemberData({ connUrl: u.connUrl, apiUrl: u.apiUrl, tags: this.deps.config.tags, version: PATRONI_VERSION },
      this.snapshot, this.mem, this.stopping ? null : this.runner.current, this.dynamic);
    const sr = this.mem.scheduledRestart;
    if (sr) data.scheduled_restart = { ...scheduledRestartJson(sr), postmaster_start_time: sr.postmasterStartTime ?? '' };
    try {
      await this.deps.dcs.touchMember(data);
    } catch (e) {
      log.error('Failed to update member key: %s', e instanceof Error ? e.message : String(e));
    }
  }

  private async reloadLocalConfig(): Promise<void> {
    this.reloadRequested = false;
    try {
      const config = loadConfig(this.deps.configPath, this.deps.env ?? process.env);
      this.deps.config = config;
      configurePeerRequests(config.raw);
      log.configure(config.log);
      this.deps.pg.setConfig(config);
      this.watchdog.reloadConfig(this.watchdogSettings());
      await this.deps.onReload?.(config).catch((e: unknown) => log.error('Could not apply the new restapi settings: %s', e instanceof Error ? e.message : String(e)));
      if (this.snapshot?.postmasterRunning) await this.reloadPostgres();
      log.info('Reloaded configuration');
    } catch (e) {
      log.error('Failed to reload config: %s', e instanceof Error ? e.message : String(e));
    }
  }

  private async applyDynamic(cluster: Cluster): Promise<void> {
    const cfg = cluster.config;
    if (!cfg || cfg.modifyVersion === 0 || Object.keys(cfg.data).length === 0) return;
    const before = JSON.stringify(this.localDynamic);
    const after = JSON.stringify(cfg.data);
    if (before === after) return;
    // on_reload only when PostgreSQL's own settings changed (ConfigHandler.reload_config), not for ttl and the like.
    const pgChanged = JSON.stringify(this.localDynamic.postgresql ?? null) !== JSON.stringify(cfg.data.postgresql ?? null);
    this.localDynamic = cfg.data;
    this.dynamic = buildDynamicConfig(cfg.data);
    this.applyTimeouts();
    await this.saveDynamicCache();
    // New postgresql.parameters: rewrite postgresql.conf and reload; restart-only ones show as pending_restart.
    if (this.snapshot?.postmasterRunning && !this.runner.current) await this.reloadPostgres(!pgChanged);
  }

  /**
   * Rewrite postgresql.conf and reload. A failure (disk full or read-only) is reported and retried on
   * the next cycle, never thrown out of the loop nor left as an unhandled rejection.
   */
  private async reloadPostgres(blockCallbacks = false): Promise<void> {
    try {
      await this.deps.pg.reload(blockCallbacks);
      this.pgReloadFailed = false;
    } catch (e) {
      this.pgReloadFailed = true;
      log.error('Could not write the PostgreSQL configuration or reload it, will retry: %s', e instanceof Error ? e.message : String(e));
    }
  }

  private applyTimeouts(): void {
    this.watchdog?.reloadConfig(this.watchdogSettings());
    this.deps.dcs.setTimeouts({ ttl: this.dynamic.ttl, loopWait: this.dynamic.loop_wait, retryTimeout: this.dynamic.retry_timeout });
  }

  private cachePath(): string { return join(this.deps.config.postgresql.data_dir, 'patroni.dynamic.json'); }

  private async loadDynamicCache(): Promise<void> {
    try {
      const parsed = parseJson(await readFile(this.cachePath(), 'utf8'));
      if (isObject(parsed) && Object.keys(parsed).length) {
        this.localDynamic = parsed;
        this.dynamic = buildDynamicConfig(parsed);
      }
    } catch { /* no cache yet */ }
  }

  private async saveDynamicCache(): Promise<void> {
    if (this.snapshot?.dataDir.kind !== 'present' || this.runner.current) {
      this.dynamicCacheStale = true; // written once the data directory exists and no bootstrap/clone runs
      return;
    }
    const tmp = `${this.cachePath()}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(this.localDynamic), { mode: 0o600 });
      await rename(tmp, this.cachePath());
      this.dynamicCacheStale = false;
    } catch (e) {
      // Disk full or read-only: say so and try again next cycle.
      this.dynamicCacheStale = true;
      log.warning('Could not save patroni.dynamic.json, will retry: %s', e instanceof Error ? e.message : String(e));
    }
  }

  private async updateHistory(cluster: Cluster, snapshot: PostgresSnapshot): Promise<void> {
    const tl = snapshot.server?.timeline ?? 0;
    if (!historyNeedsUpdate(cluster.history, tl)) return;
    if (tl <= 1) {
      await this.deps.dcs.setHistoryValue('[]');
      return;
    }
    const file = join(this.deps.config.postgresql.data_dir, 'pg_wal', `${tl.toString(16).toUpperCase().padStart(8, '0')}.history`);
    try {
      const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      const lines = buildHistory(parseHistoryFile(text), cluster.history, isoWithOffset(st.mtime), this.name, this.dynamic.max_timelines_history);
      await this.deps.dcs.setHistoryValue(JSON.stringify(lines));
    } catch (e) {
      log.warning('Could not update history: %s', e instanceof Error ? e.message : String(e));
    }
  }

  /** SIGTERM: stop PostgreSQL (unless paused), release the lock once it is down, publish, exit. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.fence.disarm();
    this.deps.dcs.lease?.holdUntil(null);
    this.deps.dcs.wakeup();
    const { dcs, pg } = this.deps;
    if (this.dynamic.pause) {
      this.watchdog.disable();
      log.info('Leaving PostgreSQL running because the cluster is paused');
    } else {
      pg.setState('stopping');
      // Ha.shutdown: a primary's stop gets primary_stop_timeout (synchronous mode only).
      const primary = !!this.snapshot?.server && !this.snapshot.server.inRecovery;
      const stopped = await pg.stop('fast', primary ? stopTimeout(this.dynamic) : {});
      if (stopped) this.watchdog.disable();
      else log.warning('Leaving watchdog running: PostgreSQL did not stop');
      pg.setState(stopped ? 'stopped' : 'stop failed');
      try {
        const cluster = await dcs.getCluster();
        if (cluster.leader?.name === this.name) {
          if (stopped) await dcs.deleteLeader(cluster.leader, this.snapshot?.server?.walLsn);
          else log.error('PostgreSQL shutdown failed, leader key not removed.');
        }
        this.snapshot = await pg.snapshot();
        await this.touchMember();
      } catch (e) {
        log.warning('Could not update the DCS on shutdown: %s', e instanceof Error ? e.message : String(e));
      }
    }
    await pg.close();
    await dcs.close();
  }

  private exit(code: number, reason: string): never {
    log.critical(reason);
    process.exit(code);
  }
}
