// Reading roles from GET /patroni answers (pure). Patroni 3.x says `master`, 4.x `primary`; 3.x has no
// `replication_state`, so streaming is then read from the leader's `replication` list.
import { isObject, type JsonObject } from '../../../src/util/json.js';

export interface NodeStatus<N = { name: string }> {
  node: N;
  status: JsonObject | undefined;
}

const isRunningPrimary = (s: JsonObject | undefined): boolean => s !== undefined && (s.role === 'primary' || s.role === 'master') && s.state === 'running';

export function leaderOf<N>(all: NodeStatus<N>[]): N | undefined {
  const primaries = all.filter((x) => isRunningPrimary(x.status));
  return primaries.length === 1 ? primaries[0]?.node : undefined;
}

/** Names the leader reports as streaming in its `replication` list. */
function streamingFromLeader(leader: JsonObject | undefined): Set<string> {
  const out = new Set<string>();
  const list = leader?.replication;
  if (!Array.isArray(list)) return out;
  for (const r of list) {
    if (isObject(r) && r.state === 'streaming' && typeof r.application_name === 'string') out.add(r.application_name);
  }
  return out;
}

export function streamingReplicas<N extends { name: string }>(all: NodeStatus<N>[]): N[] {
  const leader = all.find((x) => isRunningPrimary(x.status));
  if (!leader || leaderOf(all) === undefined) return [];
  const fromLeader = streamingFromLeader(leader.status);
  return all
    .filter(({ node, status }) => {
      if (!status || status.role !== 'replica' || status.state !== 'running') return false;
      if (typeof status.replication_state === 'string') return status.replication_state === 'streaming';
      return fromLeader.has(node.name);
    })
    .map((x) => x.node);
}
