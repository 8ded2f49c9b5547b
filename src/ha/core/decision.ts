// A decision is data: the actions to run, the status message Patroni would print, and for steps
// whose outcome changes what happens next (taking the lock, keeping it) a branch per outcome.
// The executor walks it; tests compare it. Reasons explain the choice to logs, the API and patronictl.
import type { Cluster } from '../../dcs/cluster.js';
import type { ServerRole, StopMode, Upstream } from '../../postgresql/controller.js';
import type { HaMemory } from './input.js';
import type { LogicalSlot } from './slots.js';
import type { SyncKeyValue } from './sync.js';
import type { CallbackAction, CallbackRole } from '../../scripts/commands.js';

/** Work that outlives a cycle; runs on the async executor under `name`. */
export type AsyncTask =
  | { kind: 'bootstrap'; name: 'bootstrap' }
  /** Standby cluster: clone from the remote primary and start as its standby leader. */
  | { kind: 'bootstrap_standby_leader'; name: 'bootstrap_standby_leader'; from: Upstream | null; methods: string[] }
  | { kind: 'post_bootstrap'; name: 'post_bootstrap' }
  /** Replica creation methods in order; `from` null: no leader, only methods that need none. */
  /** `follow`: whom to stream from once cloned (Ha.clone follows _get_node_to_follow, not the clone source). */
  | { kind: 'clone'; name: string; from: Upstream | null; methods: string[]; follow: Upstream | null }
  | { kind: 'promote'; name: 'promote' }
  | { kind: 'start'; name: string; role: ServerRole; upstream: Upstream | null }
  | { kind: 'rewind'; name: string; from: Upstream; then: { role: ServerRole; upstream: Upstream | null } }
  /**
   * Stop (CHECKPOINT first when graceful), release the lock unless the mode keeps it. The next
   * cycle finds PostgreSQL stopped and starts it as a replica, rewinding first when needed.
   */
  | {
      kind: 'demote';
      name: string;
      mode: DemoteMode;
      follow?: Upstream | null;
      /**
       * Members whose WAL senders are cut before a graceful stop: a shutdown waits for every connected
       * standby to confirm the last WAL, so one unreachable standby would hold it for wal_sender_timeout.
       * Only members that will not lead; being cut leaves them behind the switch point, never past it.
       */
      detach?: string[];
      /** primary_stop_timeout (synchronous mode): seconds before the postmaster is killed. */
      stopTimeout?: number;
    }
  /** Stop, keep the role, start again (REST restart, scheduled restart). */
  | { kind: 'restart'; name: 'restart'; role: ServerRole; upstream: Upstream | null }
  /** Stop, remove the data directory on explicit request, clone again. */
  | { kind: 'reinitialize'; name: 'reinitialize'; from: Upstream; methods?: string[] }
  /**
   * Replica: read these permanent logical slots' state files from the primary (`from`), stop,
   * install them, start again following `upstream` (Patroni's SlotsHandler.copy_logical_slots).
   */
  | { kind: 'copy_logical_slots'; name: 'copy_logical_slots'; slots: LogicalSlot[]; from: Upstream; upstream: Upstream | null };

/** Patroni's demotion modes (Ha.demote). */
export type DemoteMode = 'offline' | 'graceful' | 'immediate' | 'immediate-nolock' | 'demote-cluster';

export type Action =
  | { type: 'touch_member' }
  | { type: 'write_initialize'; createNew: boolean; sysid: string }
  | { type: 'cancel_initialization' }
  | { type: 'publish_config' }
  | { type: 'take_leader' }
  | { type: 'delete_leader' }
  | { type: 'clear_failover' }
  | { type: 'update_history' }
  | { type: 'stop_postgres'; mode: StopMode }
  /** Paused with PostgreSQL down: the member reports `stopped`, not `crashed` (Ha._run_cycle). */
  | { type: 'mark_stopped' }
  | { type: 'follow'; upstream: Upstream | null; role: ServerRole }
  /**
   * The slot step (SlotsHandler.sync_replication_slots). `view`: the cluster it works from when the DCS
   * could not be read (the last one read, as the failsafe heartbeat describes it); absent: this cycle's.
   */
  | { type: 'sync_slots'; view?: Cluster }
  /** Close the watchdog with the magic character: this node no longer acts as a leading primary. */
  | { type: 'disable_watchdog' }
  /** Failsafe check passed: failsafe active, watchdog pinged (Ha._handle_dcs_error). */
  | { type: 'failsafe_keep' }
  /** Leader: synchronous_standby_names and the `sync` key (Ha.process_sync_replication), or disabling them. */
  | { type: 'sync_replication' }
  /** A user callback with Patroni's `action role scope` (Postgresql.call_nowait); never awaited. */
  | { type: 'run_callback'; action: CallbackAction; role: CallbackRole; endBootstrap?: boolean }
  /** A failed bootstrap's data directory set aside as `<data_dir>.failed` (Ha.cancel_initialization). */
  | { type: 'move_data_directory' }
  /**
   * Start a task on the async executor. `inlineWhenBusy`: when another task runs, log this warning
   * and run it inside the cycle instead (a demotion that cannot wait for the lease to run out).
   */
  | { type: 'run_async'; task: AsyncTask; inlineWhenBusy?: string }
  /** The decision has seen the last finished task's outcome (input.lastAsync): the runner drops it. */
  | { type: 'forget_async_outcome' }
  | { type: 'set_memory'; patch: Partial<HaMemory> }
  | { type: 'log'; level: 'info' | 'warning'; message: string }
  /** Wait inside the cycle (a scheduled action due within loop_wait). */
  | { type: 'sleep'; ms: number }
  | { type: 'exit'; code: number; reason: string };

/** Outcome-dependent steps. */
export type Attempt =
  | 'acquire_leader'
  | 'update_leader'
  | 'initialize_race'
  /** Open and configure the watchdog; fails only when `required` and no safe watchdog is possible. */
  | 'activate_watchdog'
  /** DCS down, failsafe mode: POST /failsafe to these members; all must accept (Ha.check_failsafe_topology). */
  | { kind: 'failsafe_check'; members: { name: string; url: string }[] }
  /** Pre-promote (Ha.process_sync_replication_prepromote): CAS-write `sync` naming me, then set synchronous_standby_names. */
  | { kind: 'claim_sync'; key: SyncKeyValue; standbyNames: string | null };

/** What a reason says, for code to key on; `why` is its text for logs, /explain and patronictl. */
export type ReasonCode =
  | 'starting'
  | 'primary'
  | 'timeline_behind'
  | 'paused'
  | 'nofailover'
  | 'not_sync'
  | 'failover_candidate'
  | 'other_candidate'
  | 'candidate_only_when_paused'
  | 'former_leader'
  | 'quorum_short'
  | 'healthiest'
  | 'outranked'
  | 'lagging'
  | 'unreachable'
  | 'watchdog'
  | 'primary_alive'
  | 'wal_ahead'
  | 'higher_priority'
  | 'wal_not_ahead'
  | 'not_probed'
  | 'healthy'
  | 'diverged'
  | 'not_in_failsafe'
  | 'pre_promote_backoff';

export interface Reason {
  /** Member the reason is about (a candidate, or this node). */
  member: string;
  eligible: boolean;
  code: ReasonCode;
  why: string;
}

export interface Decision {
  actions: Action[];
  /** Status message of this cycle (the leaf's, when branching). */
  message: string;
  branch?: { attempt: Attempt; onSuccess: Decision; onFailure: Decision };
  reasons?: Reason[];
  /**
   * Whether this node holds the leader key once this step has run: set by decide() on every step of
   * the tree (Patroni's is_leader after the cycle), so the shell never works it out.
   */
  leader?: boolean;
}

export const plan = (message: string, ...actions: Action[]): Decision => ({ actions, message });

export function attempt(attemptKind: Attempt, onSuccess: Decision, onFailure: Decision, ...before: Action[]): Decision {
  return { actions: before, message: onSuccess.message, branch: { attempt: attemptKind, onSuccess, onFailure } };
}

export const setMemory = (patch: Partial<HaMemory>): Action => ({ type: 'set_memory', patch });

/** Prefix actions (and reasons) to a decision without changing its message or branches. */
export function withActions(d: Decision, ...before: Action[]): Decision {
  return { ...d, actions: [...before, ...d.actions] };
}

export function withReasons(d: Decision, reasons: Reason[]): Decision {
  return reasons.length ? { ...d, reasons: [...(d.reasons ?? []), ...reasons] } : d;
}
