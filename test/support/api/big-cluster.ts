// A 15-member cluster as the dashboard sees it: a cascade (pg14 under pg02), a nofailover member with a
// pending restart (pg05), a Patroni member without GET /explain (pg13), an unreachable one (pg15).
import { buildClusterView, type ClusterView, type MemberProbeResult } from '../../../src/api/dashboard/view.js';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import { EMPTY_CLUSTER, type Cluster, type Member } from '../../../src/dcs/cluster.js';
import type { JsonObject } from '../../../src/util/json.js';

const MB = 1048576;
export const names = Array.from({ length: 15 }, (_, i) => `pg${String(i + 1).padStart(2, '0')}`);

function memberOf(name: string, i: number): Member {
  const leader = i === 0;
  return {
    name,
    version: '1',
    data: {
      conn_url: `postgres://10.0.0.${i + 1}:5432/postgres`,
      api_url: `http://10.0.0.${i + 1}:8008/patroni`,
      state: 'running',
      role: leader ? 'primary' : 'replica',
      timeline: 3,
      ...(leader ? { xlog_location: 50 * MB } : { receive_lsn: 50 * MB - i * 1000, replay_lsn: 50 * MB - i * 1000, replication_state: 'streaming' }),
      ...(name === 'pg14' ? { tags: { replicatefrom: 'pg02' } } : {}),
      ...(name === 'pg05' ? { tags: { nofailover: true }, pending_restart: true } : {}),
    },
  };
}

function status(i: number, extra: JsonObject = {}): MemberProbeResult['status'] {
  const xlog: JsonObject = i === 0 ? { location: 50 * MB } : { received_location: 50 * MB - i * 1000, replayed_location: 50 * MB - i * 1000, paused: false };
  return { ok: true, body: { state: 'running', role: i === 0 ? 'primary' : 'replica', timeline: 3, xlog, ...extra } };
}

export function bigCluster(): { cluster: Cluster; probes: Map<string, MemberProbeResult> } {
  const cluster: Cluster = {
    ...EMPTY_CLUSTER,
    initialize: '7277694203142172922',
    members: names.map(memberOf),
    leader: { name: 'pg01', version: '1' },
    status: { optime: 50 * MB, slots: {}, retainSlots: [] },
    history: {
      version: '1',
      lines: [
        [1, 1000, 'no recovery target specified', '2026-11-28T00:00:00+00:00', 'pg01'],
        [2, 2000, 'no recovery target specified'],
      ],
    },
  };
  const probes = new Map<string, MemberProbeResult>(
    names.map((n, i) => [
      n,
      {
        status: n === 'pg15' ? { ok: false, error: 'connect ECONNREFUSED' } : status(i, n === 'pg05' ? { tags: { nofailover: true } } : {}),
        // pg13 runs Debian's Patroni: no GET /explain; pg15 does not answer at all.
        explain: n === 'pg13' || n === 'pg15' ? null : { at: '2026-11-28T23:00:00.000Z', message: `no action. I am (${n})` },
      },
    ]),
  );
  return { cluster, probes };
}

export const bigClusterView = (): ClusterView => {
  const { cluster, probes } = bigCluster();
  return buildClusterView('big', cluster, buildDynamicConfig({}), probes);
};
