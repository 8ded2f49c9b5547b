// Which node a replica streams from, derived from members' conn_url (Patroni's Ha._get_node_to_follow).
import { nostream, replicatefrom } from '../../config/tags.js';
import type { Cluster, Member } from '../../dcs/cluster.js';
import type { Upstream } from '../../postgresql/controller.js';

/** host/port of `postgres://host:port/db`; null when the URL is missing or unusable. */
export function upstreamOf(member: Member | undefined): Upstream | null {
  const url = member?.data.conn_url;
  if (!member || !url) return null;
  try {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) return null;
    return { name: member.name, host, port: u.port ? Number(u.port) : 5432 };
  } catch {
    return null;
  }
}

/** The member to follow: none with nostream; the replicatefrom member when present; else the leader. */
export function nodeToFollow(cluster: Cluster, me: string, tags: Record<string, unknown>): Upstream | null {
  if (nostream(tags)) return null;
  const from = replicatefrom(tags);
  if (from && from !== me) {
    const m = cluster.members.find((x) => x.name === from);
    const up = upstreamOf(m);
    if (up) return up;
  }
  const leader = cluster.leader;
  if (!leader || leader.name === me) return null;
  return upstreamOf(leader.member ?? cluster.members.find((m) => m.name === leader.name));
}
