// What the REST API needs from the running daemon. The daemon implements it from cached state; the
// server itself does no DCS or PostgreSQL I/O except through these calls.
import type { Cluster, PostgresState } from '../dcs/cluster.js';
import type { DynamicConfig } from '../config/types.js';
import type { JsonObject } from '../util/json.js';
import type { NodeStatusReport } from './node-status.js';

export interface ApiContext {
  readonly scope: string;
  readonly name: string;
  /** Patroni version we report (`4.1.4`). */
  readonly version: string;
  /** The node status (rest-api.md §5) built with at most one SQL round trip (see buildNodeStatus). */
  nodeStatus(): Promise<NodeStatusReport>;
  /** Last DCS view; null while the DCS is unreachable. */
  cachedCluster(): Cluster | null;
  /** Linearizable read for /cluster (and /history, /config when nothing is cached). */
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
}
