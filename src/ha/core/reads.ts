// What the cycle must read beyond the DCS and the local snapshot before deciding: probing peers and
// listing slots cost round trips, so the core says when a decision may need them.
import type { DynamicConfig, Tags } from '../../config/types.js';
import type { Cluster } from '../../dcs/cluster.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import { holdsLogicalSlotCopies } from '../../config/permanent-slots.js';
import type { AsyncState } from './input.js';
import { isCrashRecoveryOfPrimary } from './recover.js';

export interface Reads {
  /** GET /patroni of the other members (Ha.fetch_nodes_statuses). */
  peers: boolean;
  /** The running replica's replication slots, for copying logical slots from the primary. */
  localSlots: boolean;
}

export interface ReadsInput {
  cluster: Cluster;
  me: string;
  tags: Tags;
  config: DynamicConfig;
  pg: PostgresSnapshot;
  async: AsyncState | null;
}

export function readsFor({ cluster, me, tags, config, pg, async }: ReadsInput): Reads {
  // Peers are compared only in a leader race, on a failover request, or when the leader's own
  // PostgreSQL is down (primary_start_timeout asks whether a replica could take over).
  const racing =
    !cluster.leader ||
    cluster.failover !== null ||
    (cluster.leader.name === me && (!pg.postmasterRunning || (async !== null && isCrashRecoveryOfPrimary(async.task))));
  // The candidate a switchover/failover names leads without comparing itself to anyone
  // (Ha.manual_failover_process_no_leader): asking peers would only delay its promotion.
  const namedCandidate = !cluster.leader && cluster.failover?.candidate === me;
  const server = pg.server;
  return {
    peers: racing && !namedCandidate && pg.dataDir.kind === 'present',
    localSlots: !!server?.inRecovery && !async && holdsLogicalSlotCopies(config, tags, server.serverVersion),
  };
}
