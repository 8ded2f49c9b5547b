// One patroni-ts node: the HA loop around runCycle() (src/ha/shell/cycle.ts). Provides the world a
// cycle reads and writes, publishes the member key (publish.ts), keeps the lease fence armed while the
// decision says we lead, then sleeps until loop_wait passes or the DCS reports a change worth acting on.
// The configuration and its reloads live in reload.ts.
// No judgement here: what to read, who leads and what the fence does are the core's answers.
import type { DecisionExplanation } from '../api/context.js';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { AsyncTask, Decision } from '../ha/core/decision.js';
import { INITIAL_MEMORY, initialMemory, type AsyncOutcome, type AsyncState, type HaMemory, type NodeIdentity } from '../ha/core/input.js';
import { fenceArmed, leaseExpired } from '../ha/core/leadership.js';
import { slotRole } from '../ha/core/slots-step.js';
import { AsyncRunner, type TaskResult } from '../ha/shell/async-runner.js';
import { runCycle, type CycleWorld } from '../ha/shell/cycle.js';
import { applyMemoryPatch, execute, type ExecutorDeps } from '../ha/shell/executor.js';
import { runTask, type TaskPostgres } from '../ha/shell/tasks.js';
import { SyncReplication, type SyncPostgres } from '../ha/shell/sync-process.js';
import { SlotManager, type SlotPostgres } from '../ha/shell/slots-process.js';
import { log } from '../log/logger.js';
import { isSessionLoss } from '../postgresql/errors.js';
import { LibpqError } from '../postgresql/libpq.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';
import { isObject } from '../util/json.js';
import { worksWithoutLeader } from '../scripts/commands.js';
import { LeaseFence } from './lease-fence.js';
import { Watchdog } from '../watchdog/watchdog.js';
import { failsafeActive, failsafeHeartbeat, failsafeKeyValue, withFailsafeLeader, type FailsafeSeen } from '../ha/core/failsafe.js';
import { stopTimeout } from '../ha/core/stop-timeout.js';
import { askFailsafeMembers } from './failsafe-check.js';
import { probePeers } from './peers.js';
import { urls } from './identity.js';
import { publishHistory, publishMember } from './publish.js';
import { NodeConfig } from './reload.js';

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
  /** The local config and the dynamic configuration, and their reloads (reload.ts). */
  private readonly conf: NodeConfig;

  constructor(private readonly deps: NodeDeps) {
    this.conf = new NodeConfig(deps.config, {
      configPath: deps.configPath,
      env: deps.env ?? process.env,
      onReload: deps.onReload,
      dcs: deps.dcs,
      pg: deps.pg,
      watchdog: () => this.watchdog,
      snapshot: () => this.snapshot,
      taskRunning: () => !!this.runner.current,
    });
    this.syncReplication = new SyncReplication(deps.pg, deps.dcs);
    this.slots = new SlotManager(deps.pg.slots);
    try {
      this.watchdog = new Watchdog(this.conf.watchdogSettings());
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

  /** failsafe_mode_is_active: on the leader a passed check, on a member an accepted heartbeat, within ttl. */
  failsafeIsActive(now = Date.now()): boolean {
    return failsafeActive(Math.max(this.failsafeCheckedAt, this.failsafeSeen?.at ?? 0), now, this.dynamic.ttl);
  }

  get name(): string {
    return this.conf.config.name;
  }
  /** The dynamic configuration in force. */
  get dynamic(): DynamicConfig {
    return this.conf.dynamic;
  }
  get memory(): Readonly<HaMemory> {
    return this.mem;
  }
  /** The task on the async executor now (null when idle). */
  get runningTask(): AsyncState | null {
    return this.runner.current;
  }
  /** The local config as last (re)loaded. */
  get config(): PatroniConfig {
    return this.conf.config;
  }

  /** Who this node is for decide(), from the config as last (re)loaded. */
  identityNow(): NodeIdentity {
    const config = this.conf.config;
    const u = urls(config);
    return {
      name: config.name,
      tags: config.tags,
      apiUrl: u.apiUrl,
      connUrl: u.connUrl,
      // Only a node whose local config has a bootstrap section may initialise a new cluster.
      canBootstrap: 'bootstrap' in config.raw,
      usePgRewind: this.dynamic.use_pg_rewind,
      removeDataDirOnDivergedTimelines: config.postgresql.remove_data_directory_on_diverged_timelines,
      removeDataDirOnRewindFailure: config.postgresql.remove_data_directory_on_rewind_failure,
      replicaMethods: config.postgresql.create_replica_methods,
      // Any postgresql.<method> section may be named by standby_cluster.create_replica_methods too.
      noLeaderMethods: Object.entries(config.postgresql.raw)
        .filter(([m, v]) => isObject(v) && worksWithoutLeader(m, v))
        .map(([m]) => m),
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

  waitTask(timeoutMs: number): Promise<boolean | 'timeout'> {
    return this.runner.wait(timeoutMs);
  }

  /** POST /reinitialize with force: cancel the running task (its scripts and tools are killed). */
  cancelTask(): boolean {
    return this.runner.cancel();
  }

  freshCluster(): Promise<Cluster> {
    return this.deps.dcs.getCluster({ fresh: true });
  }

  /** SIGHUP and POST /reload: re-read the local config at the start of the next cycle. */
  requestReload(): void {
    this.conf.requestReload();
    this.deps.dcs.wakeup();
  }
  isLeader(now = Date.now()): boolean {
    return this.leaderUntil > now;
  }

  async start(): Promise<void> {
    await this.conf.start();
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
    await this.conf.reloadIfRequested();
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
      at,
      message: executed.message,
      steps: executed.steps,
      reasons,
      lastWeighing: reasons.length ? { at, message: executed.message, reasons } : (this.lastExplanation?.lastWeighing ?? null),
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
      await this.conf.onCluster(cluster);
    },
    snapshot: async () => (this.snapshot = await this.deps.pg.snapshot()),
    lastSnapshot: () => this.snapshot,
    probePeers: (cluster) => probePeers(cluster, this.name, 2000, this.dynamic.failsafe_mode ? (cluster.failsafe ?? {}) : {}),
    watchdog: () => ({ mode: this.watchdog.settings.mode, running: this.watchdog.isRunning, active: this.watchdog.isActive, healthy: this.watchdog.isHealthy }),
    lastCluster: () => this.cluster,
    failsafeSeen: () => this.failsafeSeen,
    localSlots: () => this.slots.localSlots(),
    executorDeps: (cluster, snapshot, seen) => this.executorDeps(cluster, snapshot, seen),
  };

  private executorDeps(cluster: Cluster | null, snapshot: PostgresSnapshot | null, seenOutcome: AsyncOutcome | null): ExecutorDeps {
    const { dcs, pg } = this.deps;
    return {
      dcs,
      pg,
      runner: this.runner,
      memory: this.mem,
      seenOutcome,
      cluster,
      walLsn: () => snapshot?.server?.walLsn,
      slotStatus: () => this.slots.status,
      touchMember: () => this.touchMember(),
      localDynamicConfig: () => this.conf.localDynamicJson(),
      updateHistory: () => (cluster && snapshot ? publishHistory(this.deps.dcs, this.conf.config, this.dynamic, cluster, snapshot) : Promise.resolve()),
      syncSlots: (memory, view) => {
        const s = snapshot?.server;
        const on = view ?? cluster;
        if (!s || !on) return Promise.resolve(memory);
        return this.slots.sync(
          {
            cluster: on,
            config: this.dynamic,
            me: this.name,
            tags: this.conf.config.tags,
            role: slotRole(s.inRecovery, this.mem.role),
            major: s.serverVersion,
            myLsn: s.walLsn,
            replayLsn: s.replayLsn ?? s.walLsn,
            now: Date.now(),
          },
          memory,
        );
      },
      syncReplication: (memory, save) => (cluster ? this.syncReplication.process(cluster, this.dynamic, this.name, memory, save) : Promise.resolve()),
      claimSync: (key, names) => (cluster ? this.syncReplication.beforePromote(cluster, this.dynamic, this.name, key, names) : Promise.resolve(false)),
      runTask: (task, signal) => this.runTaskWithWatchdog(task, signal),
      exit: (code, reason) => this.exit(code, reason),
      watchdog: this.watchdog,
      failsafeKey: () =>
        this.dynamic.failsafe_mode && cluster ? { failsafe: failsafeKeyValue(cluster, { name: this.name, apiUrl: urls(this.conf.config).apiUrl }) } : {},
      failsafeCheck: async (members) => {
        // Every member must accept this node as the leader; their acceptance holds them off racing for ttl.
        const heartbeat = failsafeHeartbeat({ name: this.name, ...urls(this.conf.config) }, await this.slots.localSlots(), snapshot?.server?.walLsn ?? null);
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

  /** Ha.touch_member: publish members/<name> (publish.ts). */
  async touchMember(): Promise<void> {
    if (!this.snapshot) return;
    await publishMember(this.deps.dcs, {
      config: this.conf.config,
      dynamic: this.dynamic,
      snapshot: this.snapshot,
      memory: this.mem,
      task: this.stopping ? null : this.runner.current,
    });
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
