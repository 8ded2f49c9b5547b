// Carries out a Decision: walks its actions and branches against the real DCS and PostgreSQL.
// All judgement lives in decide(); this file only performs and reports. It is the only writer of
// HaMemory (`set_memory`).
import type { Cluster } from '../../dcs/cluster.js';
import type { Dcs } from '../../dcs/dcs.js';
import { log } from '../../log/logger.js';
import type { PostgresController } from '../../postgresql/controller.js';
import type { AsyncRunner, TaskResult } from './async-runner.js';
import type { Action, AsyncTask, Attempt, Decision } from '../core/decision.js';
import type { AsyncOutcome, HaMemory } from '../core/input.js';
import type { SlotMemory } from '../core/slots-step.js';
import type { SyncMemory } from '../core/sync-step.js';
import type { SyncKeyValue } from '../core/sync.js';
import { sleep } from '../../util/timers.js';

export interface ExecutorDeps {
  dcs: Dcs;
  pg: PostgresController;
  runner: AsyncRunner;
  memory: HaMemory;
  /** The outcome the decision saw (input.lastAsync): what `forget_async_outcome` drops. */
  seenOutcome: AsyncOutcome | null;
  /** The cluster the decision was made on; null when the DCS could not be read. */
  cluster: Cluster | null;
  /** Current WAL position for status.optime when refreshing the lock. */
  walLsn(): number | undefined;
  /** Slot positions and retained member slots for `status` (leader, PG11+), from the last slot step. */
  slotStatus(): { slots: Record<string, number>; retainSlots: string[] } | null;
  touchMember(): Promise<void>;
  /** Local dynamic config to publish when the DCS has none (patroni.dynamic.json or bootstrap.dcs). */
  localDynamicConfig(): string;
  updateHistory(): Promise<void>;
  /** The slot step with its memory, on `view` when given (else this cycle's cluster); returns the next memory. */
  syncSlots(memory: SlotMemory, view?: Cluster): Promise<SlotMemory>;
  /** The leader's sync protocol with its memory; `save` stores the memory after every step. */
  syncReplication(memory: SyncMemory, save: (m: SyncMemory) => void): Promise<void>;
  claimSync(key: SyncKeyValue, standbyNames: string | null): Promise<boolean>;
  runTask(task: AsyncTask, signal?: AbortSignal): Promise<TaskResult>;
  exit(code: number, reason: string): never;
  /** This node's watchdog (src/watchdog/watchdog.ts). */
  watchdog: { activate(): boolean; disable(): void; keepalive(): void };
  /** `{ failsafe }` to write with the lock refresh when failsafe_mode is on, else `{}`. */
  failsafeKey(): { failsafe?: Record<string, string> };
  /** POST /failsafe to these members; true when every one accepted. */
  failsafeCheck(members: { name: string; url: string }[]): Promise<boolean>;
  /** The failsafe check passed: remember it (failsafe_mode_is_active) and ping the watchdog. */
  failsafeKept(): void;
}

export interface Executed {
  message: string;
  /** Which branch outcomes happened, for logs/explain. */
  attempts: { attempt: Attempt; ok: boolean }[];
  /** The leaf's `leader`: this node holds the leader key after the cycle. */
  leaderHeld: boolean;
  /** What was done, in order, for GET /explain: `touch_member`, `acquire_leader: ok`, `run_async: promote`. */
  steps: string[];
}

/** One line per action for /explain; the bookkeeping ones (memory, logs) are left out. */
function describe(action: Action): string | null {
  switch (action.type) {
    case 'set_memory':
    case 'log':
    case 'forget_async_outcome':
      return null;
    case 'run_async':
      return `run_async: ${action.task.name}`;
    case 'stop_postgres':
      return `stop_postgres: ${action.mode}`;
    case 'follow':
      return `follow: ${action.upstream?.name ?? 'nobody'}`;
    default:
      return action.type;
  }
}

export async function execute(decision: Decision, deps: ExecutorDeps): Promise<Executed> {
  const attempts: Executed['attempts'] = [];
  const steps: string[] = [];
  let d = decision;
  for (;;) {
    for (const action of d.actions) {
      await perform(action, deps);
      const step = describe(action);
      if (step) steps.push(step);
    }
    if (!d.branch) return { message: d.message, attempts, leaderHeld: d.leader === true, steps };
    const ok = await tryAttempt(d.branch.attempt, deps);
    attempts.push({ attempt: d.branch.attempt, ok });
    steps.push(`${typeof d.branch.attempt === 'object' ? d.branch.attempt.kind : d.branch.attempt}: ${ok ? 'ok' : 'failed'}`);
    if (!ok && d.branch.attempt === 'update_leader') log.error('failed to update leader lock');
    d = ok ? d.branch.onSuccess : d.branch.onFailure;
  }
}

async function tryAttempt(kind: Attempt, deps: ExecutorDeps): Promise<boolean> {
  if (typeof kind === 'object') {
    if (kind.kind === 'failsafe_check') return deps.failsafeCheck(kind.members);
    const ok = await deps.claimSync(kind.key, kind.standbyNames);
    if (!ok) log.info('Synchronous replication key updated by someone else');
    return ok;
  }
  switch (kind) {
    case 'acquire_leader':
      return deps.dcs.attemptToAcquireLeader();
    case 'update_leader': {
      const optime = deps.walLsn();
      const slots = deps.slotStatus();
      if (!deps.cluster) return false;
      const ok = await deps.dcs.updateLeader(deps.cluster, { ...(optime === undefined ? {} : { optime }), ...(slots ?? {}), ...deps.failsafeKey() });
      // Ha.update_lock: the watchdog is pinged only once the lease is known to be fresh.
      if (ok) deps.watchdog.keepalive();
      return ok;
    }
    case 'initialize_race':
      return deps.dcs.initialize(true, '');
    case 'activate_watchdog':
      return deps.watchdog.activate();
  }
}

async function perform(action: Action, deps: ExecutorDeps): Promise<void> {
  const { dcs, pg, cluster } = deps;
  switch (action.type) {
    case 'touch_member':
      return deps.touchMember();
    case 'write_initialize':
      await dcs.initialize(action.createNew, action.sysid);
      return;
    case 'cancel_initialization':
      await dcs.cancelInitialization();
      return;
    case 'publish_config':
      await dcs.setConfigValue(deps.localDynamicConfig());
      return;
    case 'take_leader':
      await dcs.takeLeader();
      return;
    case 'delete_leader':
      await dcs.deleteLeader(cluster?.leader ?? null);
      return;
    case 'clear_failover':
      log.info('Cleaning up failover key');
      await dcs.setFailoverValue('{}', cluster?.failover?.version);
      return;
    case 'update_history':
      return deps.updateHistory();
    case 'stop_postgres':
      await pg.stop(action.mode);
      return;
    case 'mark_stopped':
      pg.setState('stopped');
      return;
    case 'follow':
      if (!(await pg.isFollowing(action.upstream))) {
        log.info('Changing upstream to %s', action.upstream ? action.upstream.name : 'none');
        await pg.follow(action.upstream, action.role);
      } else pg.announceRole(action.role);
      return;
    case 'run_callback':
      pg.runCallback(action.action, action.role, action.endBootstrap ?? false);
      return;
    case 'move_data_directory':
      await pg.moveDataDirectory();
      return;
    case 'disable_watchdog':
      deps.watchdog.disable();
      return;
    case 'failsafe_keep':
      deps.failsafeKept();
      return;
    case 'sync_slots':
      applyMemoryPatch(deps.memory, { slots: await deps.syncSlots(deps.memory.slots, action.view) });
      return;
    case 'sync_replication':
      return deps.syncReplication(deps.memory.sync, (m) => applyMemoryPatch(deps.memory, { sync: m }));
    case 'run_async': {
      const busy = deps.runner.run(action.task, (signal) => deps.runTask(action.task, signal));
      if (!busy) return;
      if (action.inlineWhenBusy === undefined) {
        log.warning('Failed to run %s, %s is already in progress', action.task.name, busy);
        return;
      }
      log.warning(action.inlineWhenBusy);
      await deps.runTask(action.task);
      return;
    }
    case 'forget_async_outcome':
      deps.runner.forget(deps.seenOutcome);
      return;
    case 'set_memory':
      applyMemoryPatch(deps.memory, action.patch);
      return;
    case 'log':
      log[action.level](action.message);
      return;
    case 'sleep':
      await sleep(action.ms);
      return;
    case 'exit':
      return deps.exit(action.code, action.reason);
  }
}

/** The one place HaMemory changes: a decision's `set_memory` patch. */
export function applyMemoryPatch(memory: HaMemory, patch: Partial<HaMemory>): void {
  Object.assign(memory, patch);
}
