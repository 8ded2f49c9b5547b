// Quorum commit: three nodes, synchronous_node_count 1. The leader runs with ANY 1 (...) over both
// replicas and publishes them as voters; after a kill -9 of the leader a voter takes over with the
// other voter's vote and keeps every acknowledged commit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { missingOn, Workload } from '../../support/replication/workload.js';
import { sleep } from '../../support/tmp.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

describe('synchronous_mode: quorum', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      scope: 'quorum',
      staggered: true,
      dcs: { synchronous_mode: 'quorum', synchronous_node_count: 1 },
    });
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('synchronous_standby_names is ANY 1 over both replicas; both are quorum standbys', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const replicas = await c.waitForReplicasStreaming(2);
    const names = replicas
      .map((r) => r.name)
      .sort()
      .join(',');
    await c.waitUntil(
      'ANY 1 (...) on the leader',
      async () => {
        const [row] = await leader.sql<{ ssn: string }>("SELECT pg_catalog.current_setting('synchronous_standby_names') AS ssn");
        return row?.ssn === `ANY 1 (${names})` ? true : undefined;
      },
      60_000,
    );
    for (const r of replicas) {
      await c.waitUntil(`${r.name} on /quorum`, async () => ((await r.api('/quorum')).status === 200 ? true : undefined), 30_000);
    }
    const [rep] = await leader.sql<{ n: string }>("SELECT count(*)::text AS n FROM pg_stat_replication WHERE sync_state = 'quorum'");
    assert.equal(rep?.n, '2');
  });

  test('kill -9 of the leader: a voter takes over with every acknowledged commit', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    await old.sql('CREATE TABLE q_acked (id int primary key)');
    const work = new Workload(c, 'q_acked');
    work.start();
    await c.waitUntil('some acknowledged commits', async () => (work.acked.length > 50 ? true : undefined), 30_000);
    old.crash();
    const next = await c.waitForNewLeader(old);
    await sleep(1000);
    await work.stop();
    assert.deepEqual(await missingOn(next, 'q_acked', work.acked), []);
  });
});
