// Names and addresses of the lab (pure). Everything lives in network namespaces joined by a bridge in a
// hub namespace; the root namespace gets no interface and no address, so nothing can route outside.
export const SUBNET = '10.213.0';
export const PREFIX_LEN = 24;
export const REST_PORT = 8008;
export const PG_PORT = 5432;
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/** One namespace plugged into the hub bridge. */
export interface Host {
  /** Short role name: ctl, etcd, node1... */
  name: string;
  netns: string;
  address: string;
  /** veth end inside the hub namespace (the other end is eth0 in the host namespace). */
  hubIf: string;
}

export interface Topology {
  /** Common prefix of every namespace this run owns: used to find leftovers of interrupted runs. */
  prefix: string;
  hubNetns: string;
  ctl: Host;
  etcd: Host;
  nodes: Host[];
}

export const NETNS_FAMILY = 'pts-chaos-';

export function makeTopology(runId: string, nodeCount: number): Topology {
  const prefix = `${NETNS_FAMILY}${runId}-`;
  const host = (name: string, octet: number, idx: number): Host => ({ name, netns: `${prefix}${name}`, address: `${SUBNET}.${octet}`, hubIf: `v${idx}` });
  return {
    prefix,
    hubNetns: `${prefix}hub`,
    ctl: host('ctl', 2, 0),
    etcd: host('etcd', 10, 1),
    nodes: Array.from({ length: nodeCount }, (_, i) => host(`node${i + 1}`, 11 + i, i + 2)),
  };
}

export const allHosts = (t: Topology): Host[] => [t.ctl, t.etcd, ...t.nodes];
