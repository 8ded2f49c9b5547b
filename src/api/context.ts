// What the REST API needs from the running daemon. The daemon implements it from cached state; the
// server itself does no PostgreSQL I/O and no DCS writes except through these calls.
import type { Cluster, PostgresState } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import type { DynamicConfig } from '../config/types.js';
import type { JsonObject } from '../util/json.js';
import type { NodeStatusReport } from './node-status.js';
import type { RestartFilters, RestartSchedule, ScheduledRestart } from './restart-request.js';
import type { FailsafeHeartbeat } from '../ha/core/failsafe.js';

/**
 * Result of an immediate restart (RestApiHandler.do_POST_restart); the API turns it into the status
 * code and text.
 */
export type RestartOutcome =
  | { kind: 'restarted' }
  /** Postgres did not come up within the timeout: `postgres is still starting`. */
  | { kind: 'still_starting' }
  | { kind: 'failed' }
  /** Another async action holds the slot: `<action> already in progress`. */
  | { kind: 'busy'; action: string };

/** Result of POST /reinitialize (RestApiHandler.do_POST_reinitialize). */
export type ReinitializeOutcome = { kind: 'started' } | { kind: 'no_leader' } | { kind: 'is_leader' } | { kind: 'busy'; action: string };

export type FailsafeOutcome =
  /** Heartbeat remembered; `lsn` = this node's last known WAL position (null: header omitted). */
  | { kind: 'accepted'; lsn: number | null }
  /** This node runs Postgres as a primary itself. */
  | { kind: 'running_as_leader' };

/** Side effects of the write endpoints. Validation and message texts stay in the API. */
export interface ApiActions {
  /**
   * Restart Postgres now and wait until it accepts connections or `timeoutSeconds` (default
   * primary_start_timeout) passes. The role/version/pending filters were already checked by the API.
   * Runs in the HA loop's async slot: if busy, answers `busy` without doing anything.
   */
  restart(opts: { timeoutSeconds?: number }): Promise<RestartOutcome>;
  /**
   * Remember a future restart (in memory, shown as `scheduled_restart` in /patroni and the member key,
   * see scheduledRestartJson). false when one is already scheduled. At its time the HA loop must re-check
   * the filters with restartMatches() and skip the restart if they no longer hold.
   */
  scheduleRestart(restart: RestartSchedule): boolean;
  /** Forget the scheduled restart; false when none was scheduled. */
  deleteScheduledRestart(): boolean;
  /** The same work as SIGHUP (reload the config file, apply what changed); returns at once. */
  reload(): void;
  /**
   * Start rebuilding this replica from the leader (async). `force` first cancels a running async task;
   * `fromLeader` clones from the leader rather than the best replica. Checks, in order: no leader key ->
   * no_leader, this node holds it -> is_leader, async slot busy -> busy.
   */
  reinitialize(opts: { force: boolean; fromLeader: boolean }): Promise<ReinitializeOutcome>;
  /** A failsafe heartbeat from the leader; only called when dynamic failsafe_mode is on. */
  failsafeHeartbeat(leader: FailsafeHeartbeat): FailsafeOutcome;
}

/** The last HA decision and why, for GET /explain (a patroni-ts addition; Patroni has no such endpoint). */
export interface DecisionExplanation {
  /** ISO time of the cycle. */
  at: string;
  message: string;
  /** What the cycle did, e.g. `acquire_leader: ok`, `run_async: promote`. */
  steps: string[];
  /** Why each member was or was not eligible to lead (only when the cycle weighed them). */
  reasons: { member: string; eligible: boolean; why: string }[];
  /** The most recent cycle that weighed members (a leader race, a switchover), kept after quieter cycles. */
  lastWeighing: { at: string; message: string; reasons: { member: string; eligible: boolean; why: string }[] } | null;
}

export interface ApiContext {
  readonly scope: string;
  readonly name: string;
  /** Patroni version we report (`4.1.4`). */
  readonly version: string;
  /**
   * The node status (RestApiHandler.get_postgresql_status) built with at most one SQL round trip
   * (see buildNodeStatus).
   */
  nodeStatus(): Promise<NodeStatusReport>;
  /**
   * The same for health checks: may answer from a snapshot up to twice as old while a refresh runs
   * in the background, so a busy load balancer never waits for PostgreSQL. The returned object is
   * shared between requests until its inputs change: never mutate it.
   */
  healthStatus(): Promise<NodeStatusReport>;
  /** Last DCS view; null while the DCS is unreachable. */
  cachedCluster(): Cluster | null;
  /** Linearizable read for /cluster, the write endpoints and switchover polling. */
  freshCluster(): Promise<Cluster>;
  dynamic(): DynamicConfig;
  /** Holds the leader key, per the last successful update. */
  isLeader(): boolean;
  /** Effective published tags. */
  tags(): JsonObject;
  /** Epoch ms when the next HA cycle is due (last cycle start + loop_wait). */
  nextHeartbeatDue(): number;
  /** Patroni's own Postgres state string. */
  postgresState(): PostgresState;
  isRunningPrimary(): boolean;
  failsafeActive(): boolean;
  /** The daemon's DCS client: config CAS writes (PATCH/PUT /config) and the failover key. */
  dcs(): Dcs;
  /** Wake the HA loop now (after writing the failover key or the config). */
  wakeup(): void;
  readonly actions: ApiActions;
  /** The last cycle's decision, null before the first one. */
  lastDecision(): DecisionExplanation | null;
}

export type { RestartFilters, RestartSchedule, ScheduledRestart };
