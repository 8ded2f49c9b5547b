// The imperative shell around one local PostgreSQL: every action the HA executor can ask for.
// Implemented by postgres.ts; the HA core never calls it, it only names actions.
import type { PostgresState } from '../dcs/cluster.js';
import type { PostgresSnapshot } from './snapshot.js';
import type { CallbackAction, CallbackRole } from '../scripts/commands.js';

/** Whom a replica streams from: a member of our cluster (or a standby cluster's remote primary). */
export interface Upstream {
  /** Member name (application_name of the slot owner is always us; this is for logs). */
  name: string;
  host: string;
  port: number;
}

export type ServerRole = 'primary' | 'replica' | 'standby_leader';

export type StopMode = 'fast' | 'immediate';

export interface PostgresController {
  /** Read everything decide() needs: data dir, pg_controldata, postmaster, one SQL round trip. */
  snapshot(): Promise<PostgresSnapshot>;

  /** bootstrap.method: the custom method's command, or initdb; throws with what failed. */
  bootstrap(): Promise<void>;
  /** The replica creation methods in order until one works; `from` null for methods that need no leader. */
  createReplica(from: Upstream | null, methods: string[], signal?: AbortSignal): Promise<boolean>;
  /** pre_promote: false when the script exited non-zero. */
  prePromote(): Promise<boolean>;
  /** After the first start of a fresh cluster: passwords, replication user, rewind user. */
  postBootstrap(): Promise<void>;

  /**
   * Write postgresql.conf/pg_hba.conf/pgpass (+ standby.signal and primary_conninfo when following)
   * and start with pg_ctl, waiting up to pg_ctl_timeout for connections. Resolves true when accepting.
   */
  start(role: ServerRole, upstream: Upstream | null): Promise<boolean>;
  /**
   * before_stop, then pg_ctl stop -m mode; `checkpoint` issues CHECKPOINT first (graceful demotion);
   * `stopTimeout` (primary_stop_timeout) bounds the wait, then an immediate stop, then SIGKILL.
   */
  stop(mode: StopMode, opts?: { checkpoint?: boolean; stopTimeout?: number; blockCallbacks?: boolean }): Promise<boolean>;
  /** Stop and start in a role (on_restart). */
  restart(role: ServerRole, upstream: Upstream | null): Promise<boolean>;
  /** A callback the HA core decided on; `endBootstrap` lifts the hold kept while bootstrapping. */
  runCallback(action: CallbackAction, role: CallbackRole, endBootstrap: boolean): void;
  /** Already following the right upstream: announce a new standby_leader role (on_role_change). */
  announceRole(role: ServerRole): void;
  /** Set a failed bootstrap's data directory aside. */
  moveDataDirectory(): Promise<void>;
  /** pg_ctl promote -w; resolves once out of recovery. */
  promote(): Promise<boolean>;
  /**
   * Point a running replica at a new upstream: rewrite primary_conninfo and reload (PG13+),
   * or restart when the server cannot reload it. Resolves true when applied.
   */
  follow(upstream: Upstream | null, role: ServerRole): Promise<boolean>;
  /** CHECKPOINT on a running server. */
  checkpoint(): Promise<void>;
  /** Apply changed parameters (reload); reports parameters needing restart. */
  reload(blockCallbacks?: boolean): Promise<void>;
  /** True when the configured primary_conninfo already points at this upstream. */
  isFollowing(upstream: Upstream | null): Promise<boolean>;

  /** Patroni's state string, set by the executor around long actions (`creating replica`...). */
  setState(state: PostgresState): void;

  close(): Promise<void>;
}
