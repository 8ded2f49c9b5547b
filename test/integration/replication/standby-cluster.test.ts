// A standby cluster following a primary cluster: its leader is a standby_leader replicating from
// the remote primary, its other member cascades from it, and it takes over when the standby leader dies.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

async function standbyLeader(c: TestCluster): Promise<ClusterNode | undefined> {
  for (const n of c.nodes) {
    if (!n.running) continue;
    const s = await n.status();
    if (s?.role === 'standby_leader' && s.state === 'running') return n;
  }
  return undefined;
}

const hasRow = async (n: ClusterNode, id: number) => ((await n.sql('SELECT 1 FROM standby_t WHERE id = $1', [id]).catch(() => [])).length ? true : undefined);

describe('standby cluster', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let primary: TestCluster | undefined;
  let standby: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    primary = await startCluster({ impl: 'ts', nodes: 1, etcd, scope: 'main-site' });
    const p = await primary.waitForLeader();
    await p.sql('CREATE TABLE standby_t (id int)');
    standby = await startCluster({
      impl: 'ts',
      nodes: 2,
      etcd,
      scope: 'standby-site',
      staggered: false,
      dcs: { standby_cluster: { host: '127.0.0.1', port: p.pgPort } },
    });
  });
  after(async () => {
    await standby?.remove();
    await primary?.remove();
    await etcd?.stop();
  });

  test('rows written on the primary cluster appear on both standby members', async () => {
    const s = standby!;
    const leader = await s.waitUntil('a standby leader', () => standbyLeader(s), 120_000);
    const other = s.nodes.find((n) => n !== leader)!;
    await s.waitUntil(
      `${other.name} streaming from the standby leader`,
      async () => {
        const rows = await leader.sql<{ n: string }>("SELECT application_name AS n FROM pg_stat_replication WHERE state = 'streaming'").catch(() => []);
        return rows.some((r) => r.n === other.name) ? true : undefined;
      },
      120_000,
    );
    await (await primary!.waitForLeader()).sql('INSERT INTO standby_t VALUES (1)');
    for (const n of s.nodes) await s.waitUntil(`the row on ${n.name}`, () => hasRow(n, 1), 30_000);
    const [rec] = await leader.sql<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
    assert.equal(rec?.r, true);
  });

  test('killing the standby leader makes the other member the standby leader', async () => {
    const s = standby!;
    const old = (await standbyLeader(s))!;
    old.crash();
    const next = await s.waitUntil(
      'a new standby leader',
      async () => {
        const l = await standbyLeader(s);
        return l && l !== old ? l : undefined;
      },
      120_000,
    );
    await (await primary!.waitForLeader()).sql('INSERT INTO standby_t VALUES (2)');
    await s.waitUntil(`the new row on ${next.name}`, () => hasRow(next, 2), 60_000);
  });
});
