// Proves the cluster harness against the reference implementation: Debian's Patroni 3.0.2 forms a
// 3-node cluster on etcd3 from the harness's YAML, and writes on the leader reach both replicas.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { waitFor } from '../../support/tmp.js';

describe('Debian Patroni cluster via the harness', () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'debian', nodes: 3, etcd, scope: 'interop' });
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
    await leader.sql('INSERT INTO interop_probe VALUES ($1, $2)', [1, 'from the leader']);
    for (const replica of replicas) {
      const rows = await waitFor(`row on ${replica.name}`, async () => {
        const r = await replica.sql<{ note: string }>('SELECT note FROM interop_probe WHERE id = 1');
        return r.length > 0 ? r : undefined;
      }, 30_000);
      assert.equal(rows[0]?.note, 'from the leader');
      const [{ in_recovery } = { in_recovery: false }] = await replica.sql<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
      assert.equal(in_recovery, true, `${replica.name} is a standby`);
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
