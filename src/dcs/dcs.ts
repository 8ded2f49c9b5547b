// The one interface every DCS backend implements (Patroni's AbstractDCS). Operations that reached the
// DCS and were refused return false; an unreachable DCS throws DcsError, which the HA cycle treats
// differently.
import type { Cluster, Leader, MemberData } from './cluster.js';

export class DcsError extends Error {
  override readonly name = 'DcsError';
}

export interface LeaderStatusUpdate {
  /** Leader's current WAL position, written to `status.optime`. */
  optime?: number;
  slots?: Record<string, number>;
  retainSlots?: string[];
  /** Written to `failsafe` when failsafe_mode is on. */
  failsafe?: Record<string, string>;
}

/**
 * A session lease kept alive independent of the HA cycle (etcd v3). The cycle vouches for the leader
 * with holdUntil(); the lease fence re-arms from every acknowledged renewal.
 */
export interface LeaseHold {
  /** Keep the lease alive on its own timer until `until` (epoch ms); null stops it. */
  holdUntil(until: number | null): void;
  /** Send time (epoch ms) of the last keepalive or grant the DCS acknowledged; 0 when none. */
  lastRefreshSentAt(): number;
  /** Called with that send time after every acknowledged renewal of the current lease. */
  onRefreshed(cb: (sentAt: number) => void): void;
}

export interface Dcs {
  readonly backend: string;
  /** Base path of the cluster, e.g. /service/batman */
  readonly clusterPath: string;

  /** Read the cluster. `fresh` bypasses any watch cache and reads linearizably (patronictl, REST /cluster). */
  getCluster(opts?: { fresh?: boolean }): Promise<Cluster>;

  /** Publish this node's member key, bound to its lease. */
  touchMember(data: MemberData): Promise<boolean>;

  /** Create `leader` = my name only if absent. */
  attemptToAcquireLeader(): Promise<boolean>;
  /** Keep `leader` alive only while it holds my name; optionally write status/failsafe. */
  updateLeader(cluster: Cluster, status?: LeaderStatusUpdate): Promise<boolean>;
  /** Right after bootstrap: take the leader key unconditionally. */
  takeLeader(): Promise<boolean>;
  /** Delete `leader` only if it holds my name (writing status.optime first when given). */
  deleteLeader(leader: Leader | null, lastLsn?: number): Promise<boolean>;

  /** Write `initialize`: create-only when createNew. */
  initialize(createNew: boolean, sysid: string): Promise<boolean>;
  cancelInitialization(): Promise<boolean>;

  /** CAS writes: compare with `version` when given, unconditional otherwise. */
  setConfigValue(value: string, version?: string): Promise<boolean>;
  setFailoverValue(value: string, version?: string): Promise<boolean>;
  setHistoryValue(value: string): Promise<boolean>;
  /** Returns the new version, or false. */
  setSyncStateValue(value: string, version?: string): Promise<string | false>;
  deleteSyncState(version?: string): Promise<boolean>;
  /** Recursive delete of the cluster prefix (patronictl remove). */
  deleteCluster(): Promise<boolean>;

  /**
   * Sleep up to timeoutMs; resolves true early when the DCS reports a change worth a new cycle
   * (leader key changed or gone, config changed, failover key written) or when wakeup() is called.
   */
  watch(timeoutMs: number): Promise<boolean>;
  /** Wake a pending watch() (REST actions, async task completion). */
  wakeup(): void;

  /** Present when the backend's keys live on a lease that can be kept alive between cycles. */
  readonly lease?: LeaseHold;

  /** Apply new ttl / loop_wait / retry_timeout from the dynamic config. */
  setTimeouts(t: { ttl: number; loopWait: number; retryTimeout: number }): void;

  close(): Promise<void>;
}
