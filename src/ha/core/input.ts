// Everything decide() reads: one snapshot of the world per cycle. No clocks, sockets or files here.
import type { DynamicConfig, Tags } from '../../config/types.js';
import type { Cluster, MemberRole } from '../../dcs/cluster.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import type { ScheduledRestart } from './restart.js';
import type { ExistingSlot } from './slots.js';

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

/** What a peer's GET /patroni told us during a leader race (dcs.md §10.2). */
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

/** A long-running task on the async executor, by the name Patroni uses in messages. */
export interface AsyncState {
  name: string;
  startedAt: number;
}

export interface AsyncOutcome {
  name: string;
  ok: boolean;
  /** The promotion was refused by the pre_promote script (Ha.enforce_primary_role releases the lock). */
  failure?: 'pre_promote';
}

export type BootstrapStage =
  | { stage: 'none' }
  /** initdb + first start running or finished (outcome in lastAsync). */
  | { stage: 'initdb' }
  | { stage: 'post_bootstrap' }
  /** Standby cluster: cloning from the remote primary to start as its standby leader. */
  | { stage: 'standby_leader' };

/** State carried from one cycle to the next, changed only through `set_memory` actions. */
export interface HaMemory {
  role: MemberRole;
  /** Running async task, owned by the executor. */
  async: AsyncState | null;
  /** The most recent async task that finished, until a decision consumes it. */
  lastAsync: AsyncOutcome | null;
  bootstrap: BootstrapStage;
  /** We started PostgreSQL after a failure last cycle; check the result this cycle. */
  recovering: boolean;
  /** A pg_rewind ran and failed: do not retry in a loop. */
  rewindFailed: boolean;
  /** When the lock was given back because pre_promote failed: no leader race for ttl seconds after. */
  releasedLeaderKeyAt: number | null;
  /** Restart stored by POST /restart with a schedule; published in the member key. */
  scheduledRestart: ScheduledRestart | null;
}

export const INITIAL_MEMORY: HaMemory = {
  role: 'uninitialized', async: null, lastAsync: null, bootstrap: { stage: 'none' }, recovering: false, rewindFailed: false, releasedLeaderKeyAt: null, scheduledRestart: null,
};

export interface HaInput {
  now: number;
  me: NodeIdentity;
  config: DynamicConfig;
  cluster: Cluster;
  pg: PostgresSnapshot;
  memory: HaMemory;
  /** Probe results for the other members; empty when the cluster has a healthy leader. */
  peers: PeerStatus[];
  /** Replication slots of the running replica (for copying logical slots); absent when not read. */
  localSlots?: ExistingSlot[];
}
