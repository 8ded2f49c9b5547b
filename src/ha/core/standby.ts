// Standby clusters (Patroni's Ha.is_standby_cluster and `standby_cluster` config): the lock holder is a
// standby leader replicating from the remote primary; the other members cascade from it.
import { nostream } from '../../config/tags.js';
import type { DynamicConfig } from '../../config/types.js';
import type { ServerRole, Upstream } from '../../postgresql/controller.js';
import { parseIntLoose } from '../../util/json.js';
import type { HaInput } from './input.js';
import { nodeToFollow } from './upstream.js';

export const isStandbyCluster = (config: DynamicConfig): boolean => config.standby_cluster !== null;

/** The remote primary named by standby_cluster host/port; null without a host (archive-only standby). */
export function remoteUpstream(config: DynamicConfig): Upstream | null {
  const sc = config.standby_cluster;
  const host = sc && typeof sc.host === 'string' && sc.host ? sc.host : null;
  if (!sc || !host) return null;
  return { name: 'remote member', host, port: parseIntLoose(sc.port) ?? 5432 };
}

export interface FollowTarget {
  upstream: Upstream | null;
  role: Extract<ServerRole, 'replica' | 'standby_leader'>;
}

/**
 * Whom to stream from and in which role (Ha.follow). `asLeader`: the lock was just taken
 * in this cycle, so the snapshot does not show it yet.
 */
export function followTarget(input: HaInput, asLeader = false): FollowTarget {
  const { cluster, me, config } = input;
  const holds = asLeader || cluster.leader?.name === me.name;
  if (isStandbyCluster(config) && !nostream(me.tags) && (holds || (!cluster.leader && !config.pause))) {
    return { upstream: remoteUpstream(config), role: holds ? 'standby_leader' : 'replica' };
  }
  return { upstream: nodeToFollow(cluster, me.name, me.tags), role: 'replica' };
}
