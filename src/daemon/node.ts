// One patroni-ts node: the HA loop around runCycle() (src/ha/shell/cycle.ts). Provides the world a
// cycle reads and writes, publishes the member key (publish.ts), keeps the lease fence armed while the
// decision says we lead, then sleeps until loop_wait passes or the DCS reports a change worth acting on
// (loop.ts). Where the executor's actions land: executor-deps.ts; SIGTERM: shutdown.ts; the
// configuration and its reloads: reload.ts.
// No judgement here: what to read, who leads and what the fence does are the core's answers.
import type { DecisionExplanation } from '../api/context.js';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { AsyncTask, Decision } from '../ha/core/decision.js';
import { failsafeActive, withFailsafeLeader, type FailsafeSeen } from '../ha/core/failsafe.js';
import { INITIAL_MEMORY, initialMemory, type AsyncOutcome, type AsyncState, type HaMemory, type NodeIdentity } from '../ha/core/input.js';
import { fenceArmed, leaseExpired } from '../ha/core/leadership.js';
import { AsyncRunner } from '../ha/shell/async-runner.js';
import { runCycle, type CycleWorld } from '../ha/shell/cycle.js';
import { applyMemoryPatch, execute, type ExecutorDeps } from '../ha/shell/executor.js';
import { SlotManager, type SlotPostgres } from '../ha/shell/slots-process.js';
import { SyncReplication, type SyncPostgres } from '../ha/shell/sync-process.js';
import { runTask, type TaskPostgres } from '../ha/shell/tasks.js';
import { log } from '../log/logger.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';
import { Watchdog } from '../watchdog/watchdog.js';
import { executorDeps, type ExecutorHost } from './executor-deps.js';
import { nodeIdentity } from './identity.js';
import { LeaseFence } from './lease-fence.js';
import { cycleMessage, runLoop } from './loop.js';
import { probePeers } from './peers.js';
import { publishMember } from './publish.js';
import { NodeConfig } from './reload.js';
import { shutdownNode } from './shutdown.js';

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
  /** The local config and the dynamic configuration, and their reloads (reload.ts). */
  private readonly conf: NodeConfig;
  /** The long-lived parts the executor's actions land on (executor-deps.ts). */
  private readonly parts: ExecutorHost;

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
    this.parts = {
      dcs: deps.dcs,
      pg: deps.pg,
      runner: this.runner,
      memory: this.mem,
      slots: this.slots,
      syncReplication: this.syncReplication,
      watchdog: this.watchdog,
      config: () => this.conf.config,
      dynamic: () => this.dynamic,
      localDynamicJson: () => this.conf.localDynamicJson(),
      touchMember: () => this.touchMember(),
      failsafeChecked: (at) => {
        this.failsafeCheckedAt = at;
      },
    };
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
    return nodeIdentity(this.conf.config, this.dynamic);
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

  /** Run cycles until shutdown() (loop.ts). */
  loop(): Promise<void> {
    return runLoop({
      stopping: () => this.stopping,
      cycle: async () => {
        this.lastMessage = await cycleMessage(() => this.runCycle());
      },
      loopWaitMs: () => this.dynamic.loop_wait * 1000,
      followsLeader: () => !!this.cluster?.leader && this.cluster.leader.name !== this.name && !this.runner.current,
      blind: () => !!this.snapshot?.postmasterRunning && !this.snapshot.server && !this.runner.current,
      watch: (ms) => this.deps.dcs.watch(ms),
    });
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
    return executorDeps(this.parts, cluster, snapshot, seenOutcome);
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

  /** SIGTERM: stop PostgreSQL (unless paused), release the lock once it is down, publish, exit (shutdown.ts). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.fence.disarm();
    this.deps.dcs.lease?.holdUntil(null);
    this.deps.dcs.wakeup();
    await shutdownNode({
      dcs: this.deps.dcs,
      pg: this.deps.pg,
      watchdog: this.watchdog,
      name: () => this.name,
      dynamic: () => this.dynamic,
      snapshot: () => this.snapshot,
      republish: async () => {
        this.snapshot = await this.deps.pg.snapshot();
        await this.touchMember();
      },
    });
  }
}
