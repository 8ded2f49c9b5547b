// The cluster smoke scenario shared by the interop tests: one leader, two streaming replicas, a write
// on the leader visible on both replicas, and a clean stop. Parameterized by implementation(s).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { startCluster, type Impl, type StartClusterOptions, type TestCluster } from '../../support/cluster/index.js';
import { waitFor } from '../../support/tmp.js';

export function describeClusterSmoke(title: string, opts: Pick<StartClusterOptions, 'impl' | 'implFor' | 'staggered'>): void {
  describe(title, () => {
    let etcd: EtcdServer | undefined;
    let cluster: TestCluster | undefined;

    before(async () => {
      etcd = await startEtcd();
      cluster = await startCluster({ ...opts, nodes: 3, etcd, scope: 'interop' });
    });
    after(async () => {
      await cluster?.remove();
      await etcd?.stop();
    });

    test('one leader, two streaming replicas, replicated writes', async () => {
      assert.ok(cluster);
      const leader = await cluster.waitForLeader();
      const replicas = await cluster.waitForReplicasStreaming(2);
      assert.equal(replicas.length, 2);
      assert.ok(!replicas.includes(leader), 'the leader is not among the replicas');

      await leader.sql('CREATE TABLE interop_probe (id int PRIMARY KEY, note text)');
      await leader.sql('INSERT INTO interop_probe VALUES ($1, $2)', [1, `from ${leader.name} (${leader.impl})`]);
      for (const replica of replicas) {
        const rows = await waitFor(
          `row on ${replica.name}`,
          async () => {
            const r = await replica.sql<{ note: string }>('SELECT note FROM interop_probe WHERE id = 1');
            return r.length > 0 ? r : undefined;
          },
          30_000,
        );
        assert.equal(rows[0]?.note, `from ${leader.name} (${leader.impl})`);
        const [row] = await replica.sql<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
        assert.equal(row?.in_recovery, true, `${replica.name} is a standby`);
      }
    });

    test('stop leaves no daemon or postmaster behind', async () => {
      assert.ok(cluster);
      const postmasters = cluster.nodes.map((n) => n.postmasterPid()).filter((p) => p !== undefined);
      assert.equal(postmasters.length, 3, 'every node ran a postmaster');
      await cluster.stopAll();
      for (const n of cluster.nodes) {
        assert.equal(n.running, false, `${n.name} daemon stopped`);
        assert.equal(n.postmasterPid(), undefined, `${n.name} postmaster stopped`);
      }
    });
  });
}

export const mixed =
  (first: Impl, rest: Impl) =>
  (i: number): Impl =>
    i === 1 ? first : rest;
