// The I/O the HA executor carries a decision out with, bound to this node's parts for one cycle's
// cluster and snapshot. Glue only: every choice was made by decide(); this says where each action lands.
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { AsyncTask } from '../ha/core/decision.js';
import { failsafeHeartbeat, failsafeKeyValue } from '../ha/core/failsafe.js';
import type { AsyncOutcome, HaMemory } from '../ha/core/input.js';
import { slotRole } from '../ha/core/slots-step.js';
import type { AsyncRunner, TaskResult } from '../ha/shell/async-runner.js';
import type { ExecutorDeps } from '../ha/shell/executor.js';
import type { SlotManager } from '../ha/shell/slots-process.js';
import type { SyncReplication } from '../ha/shell/sync-process.js';
import { runTask, type TaskPostgres } from '../ha/shell/tasks.js';
import { log } from '../log/logger.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';
import type { Watchdog } from '../watchdog/watchdog.js';
import { askFailsafeMembers } from './failsafe-check.js';
import { urls } from './identity.js';
import { publishHistory } from './publish.js';

/** The node's long-lived parts the executor reaches (HaNode owns them). */
export interface ExecutorHost {
  readonly dcs: Dcs;
  readonly pg: ExecutorDeps['pg'] & TaskPostgres;
  readonly runner: AsyncRunner;
  readonly memory: HaMemory;
  readonly slots: SlotManager;
  readonly syncReplication: SyncReplication;
  readonly watchdog: Watchdog;
  config(): PatroniConfig;
  dynamic(): DynamicConfig;
  /** patroni.dynamic.json or bootstrap.dcs, to publish when the DCS has none. */
  localDynamicJson(): string;
  touchMember(): Promise<void>;
  /** The failsafe check passed at this time (failsafe_mode_is_active). */
  failsafeChecked(at: number): void;
}

export function executorDeps(host: ExecutorHost, cluster: Cluster | null, snapshot: PostgresSnapshot | null, seenOutcome: AsyncOutcome | null): ExecutorDeps {
  const { dcs, pg, slots, syncReplication, watchdog } = host;
  const name = () => host.config().name;
  return {
    dcs,
    pg,
    runner: host.runner,
    memory: host.memory,
    seenOutcome,
    cluster,
    walLsn: () => snapshot?.server?.walLsn,
    slotStatus: () => slots.status,
    touchMember: () => host.touchMember(),
    localDynamicConfig: () => host.localDynamicJson(),
    updateHistory: () => (cluster && snapshot ? publishHistory(dcs, host.config(), host.dynamic(), cluster, snapshot) : Promise.resolve()),
    syncSlots: (memory, view) => {
      const s = snapshot?.server;
      const on = view ?? cluster;
      if (!s || !on) return Promise.resolve(memory);
      return slots.sync(
        {
          cluster: on,
          config: host.dynamic(),
          me: name(),
          tags: host.config().tags,
          role: slotRole(s.inRecovery, host.memory.role),
          major: s.serverVersion,
          myLsn: s.walLsn,
          replayLsn: s.replayLsn ?? s.walLsn,
          now: Date.now(),
        },
        memory,
      );
    },
    syncReplication: (memory, save) => (cluster ? syncReplication.process(cluster, host.dynamic(), name(), memory, save) : Promise.resolve()),
    claimSync: (key, names) => (cluster ? syncReplication.beforePromote(cluster, host.dynamic(), name(), key, names) : Promise.resolve(false)),
    runTask: (task, signal) => runTaskWithWatchdog(host, task, signal),
    exit,
    watchdog,
    failsafeKey: () =>
      host.dynamic().failsafe_mode && cluster ? { failsafe: failsafeKeyValue(cluster, { name: name(), apiUrl: urls(host.config()).apiUrl }) } : {},
    failsafeCheck: async (members) => {
      // Every member must accept this node as the leader; their acceptance holds them off racing for ttl.
      const heartbeat = failsafeHeartbeat({ name: name(), ...urls(host.config()) }, await slots.localSlots(), snapshot?.server?.walLsn ?? null);
      return (await askFailsafeMembers(members, { ...heartbeat })).every(Boolean);
    },
    failsafeKept: () => {
      host.failsafeChecked(Date.now());
      watchdog.keepalive();
    },
  };
}

/** A demotion ends this node's time as primary: the watchdog is closed once PostgreSQL stopped. */
async function runTaskWithWatchdog(host: ExecutorHost, task: AsyncTask, signal?: AbortSignal): Promise<TaskResult> {
  const ok = await runTask(task, host.pg, host.dcs, signal);
  if (task.kind === 'demote' && task.mode !== 'demote-cluster') host.watchdog.disable();
  return ok;
}

function exit(code: number, reason: string): never {
  log.critical(reason);
  process.exit(code);
}
