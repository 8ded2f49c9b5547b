// Everything decide() reads: one snapshot of the world per cycle. No clocks, sockets or files here.
import type { DynamicConfig, Tags } from '../../config/types.js';
import type { Cluster, MemberRole } from '../../dcs/cluster.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import type { AsyncTask } from './decision.js';
import type { FailsafeSeen } from './failsafe.js';
import type { ScheduledRestart } from './restart.js';
import type { ExistingSlot } from './slots.js';
import { INITIAL_SLOT_MEMORY, type SlotMemory } from './slots-step.js';
import { INITIAL_SYNC_MEMORY, type SyncMemory } from './sync-step.js';

export interface NodeIdentity {
  name: string;
  tags: Tags;
  apiUrl: string;
  connUrl: string;
  /** Local config has a `bootstrap` section, so this node may initialise a new cluster. */
  canBootstrap: boolean;
  usePgRewind: boolean;
  removeDataDirOnDivergedTimelines: boolean;
  removeDataDirOnRewindFailure: boolean;
  /** postgresql.create_replica_methods, in order. */
  replicaMethods: string[];
  /** Methods (postgresql.<method> sections) configured to work without a replication connection (no_leader / no_master). */
  noLeaderMethods: string[];
}

/** What a peer's GET /patroni told us during a leader race (Patroni's Ha.fetch_node_status). */
export type PeerStatus =
  | { name: string; reachable: false; error: string }
  | {
      name: string;
      reachable: true;
      role: string;
      /** xlog.location for a primary; max(received, replayed) for a replica. */
      walLsn: number;
      isPrimary: boolean;
      nofailover: boolean;
      failoverPriority: number;
      watchdogFailed: boolean;
      timeline: number | null;
    };

/** The task running on the async executor (decisions key on `task.kind`; `task.name` is for messages). */
export interface AsyncState {
  task: AsyncTask;
  startedAt: number;
}

/** A finished async task, held by the runner until a decision forgets it. */
export interface AsyncOutcome {
  task: AsyncTask;
  ok: boolean;
  /** The promotion was refused by the pre_promote script (Ha.enforce_primary_role releases the lock). */
  failure?: 'pre_promote';
}

export type BootstrapStage =
  | { stage: 'none' }
  /** initdb + first start running or finished (outcome in HaInput.lastAsync). */
  | { stage: 'initdb' }
  | { stage: 'post_bootstrap' }
  /** Standby cluster: cloning from the remote primary to start as its standby leader. */
  | { stage: 'standby_leader' };

/**
 * State carried from one cycle to the next, changed only through `set_memory` actions (the executor
 * applies them; REST requests go through scheduleRestart/cancelScheduledRestart decisions).
 */
export interface HaMemory {
  role: MemberRole;
  bootstrap: BootstrapStage;
  /** We started PostgreSQL after a failure last cycle; check the result this cycle. */
  recovering: boolean;
  /** A pg_rewind ran and failed: do not retry in a loop. */
  rewindFailed: boolean;
  /** When the lock was given back because pre_promote failed: no leader race for ttl seconds after. */
  releasedLeaderKeyAt: number | null;
  /** Restart stored by POST /restart with a schedule; published in the member key. */
  scheduledRestart: ScheduledRestart | null;
  /** The slot step's memory (src/ha/core/slots-step.ts), replaced after each sync_slots. */
  slots: SlotMemory;
  /** The sync protocol's memory (src/ha/core/sync-step.ts), saved after each of its steps. */
  sync: SyncMemory;
  /** primary_race_backoff: when the current backoff started (null: none running). */
  raceBackoffAt: number | null;
  /** My WAL position in the previous cycle (kept only while primary_race_backoff is set). */
  prevWalLsn: number | null;
}

export const INITIAL_MEMORY: HaMemory = {
  role: 'uninitialized',
  bootstrap: { stage: 'none' },
  recovering: false,
  rewindFailed: false,
  releasedLeaderKeyAt: null,
  scheduledRestart: null,
  slots: INITIAL_SLOT_MEMORY,
  sync: INITIAL_SYNC_MEMORY,
  raceBackoffAt: null,
  prevWalLsn: null,
};

/** Memory at start-up: the role read from the data directory (Patroni's get_postgres_role_from_data_directory). */
export function initialMemory(pg: PostgresSnapshot): HaMemory {
  return { ...INITIAL_MEMORY, role: initialRole(pg) };
}

/** Patroni's get_postgres_role_from_data_directory, refined by a running server's answer. */
export function initialRole(s: PostgresSnapshot): MemberRole {
  if (s.dataDir.kind !== 'present') return 'uninitialized';
  if (s.server) return s.server.inRecovery ? 'replica' : 'primary';
  const state = s.dataDir.controlData?.clusterState ?? '';
  return state === 'in production' || state === 'shut down' ? 'primary' : 'replica';
}

export interface HaInput {
  now: number;
  me: NodeIdentity;
  config: DynamicConfig;
  cluster: Cluster;
  pg: PostgresSnapshot;
  memory: HaMemory;
  /** The task the async executor runs now (observed from the runner, not remembered). */
  async: AsyncState | null;
  /** The last finished task, until a decision forgets it (`forget_async_outcome`). */
  lastAsync: AsyncOutcome | null;
  /** Probe results for the other members; empty when the cluster has a healthy leader. */
  peers: PeerStatus[];
  /** Replication slots of the running replica (for copying logical slots); absent when not read. */
  localSlots?: ExistingSlot[];
  /** This node's watchdog; absent: the cycle has no watchdog steps (unit fixtures). */
  watchdog?: WatchdogView;
}

export interface WatchdogView {
  mode: 'off' | 'automatic' | 'required';
  /** The device is open and being pinged. */
  running: boolean;
  /** Activation was requested and not disabled since (automatic mode without a device stays here). */
  active: boolean;
  /** Patroni's Watchdog.is_healthy: false only under `required` with no usable device or timing. */
  healthy: boolean;
}

/**
 * Patroni's `_handle_dcs_error` case: the DCS could not be read or written this cycle. Only what the
 * node knows without the DCS. New inputs for this path (failsafe answers from peers) belong here.
 */
export interface DcsUnreachableInput {
  dcs: 'unreachable';
  now: number;
  me: NodeIdentity;
  config: DynamicConfig;
  /** The last PostgreSQL snapshot (null before the first). */
  pg: PostgresSnapshot | null;
  memory: HaMemory;
  async: AsyncState | null;
  /** The last `failsafe` key read from the DCS (failsafe mode asks its members). */
  failsafe?: Record<string, string> | null;
  /** The last cluster read from the DCS (null before the first): the slot step's view without it. */
  lastCluster?: Cluster | null;
  /** The leader's last failsafe heartbeat this member accepted (POST /failsafe). */
  failsafeSeen?: FailsafeSeen | null;
}

export type CycleInput = HaInput | DcsUnreachableInput;

export const dcsUnreachable = (input: CycleInput): input is DcsUnreachableInput => 'dcs' in input && input.dcs === 'unreachable';
