// synchronous_mode_strict end to end: no acknowledged commit is lost when the leader is killed
// with kill -9 (daemon and postmaster), repeatedly; with every replica gone, writes block until one returns.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { missingOn, Workload } from '../../support/replication/workload.js';
import { sleep } from '../../support/tmp.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

async function syncStandby(c: TestCluster, leader: ClusterNode): Promise<ClusterNode | undefined> {
  for (const n of c.nodes) {
    if (n === leader || !n.running) continue;
    const r = await n.api('/sync').catch(() => undefined);
    if (r?.status === 200) return n;
  }
  return undefined;
}

describe('synchronous_mode_strict', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      scope: 'sync-strict',
      staggered: true,
      dcs: { synchronous_mode: true, synchronous_mode_strict: true },
    });
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('the leader lists its synchronous standby in synchronous_standby_names and the sync key', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    await c.waitForReplicasStreaming(2);
    const sync = await c.waitUntil('a synchronous standby', () => syncStandby(c, leader), 60_000);
    const [row] = await leader.sql<{ ssn: string }>("SELECT pg_catalog.current_setting('synchronous_standby_names') AS ssn");
    assert.equal(row?.ssn, sync.name);
    const [rep] = await leader.sql<{ sync_state: string }>('SELECT sync_state FROM pg_stat_replication WHERE application_name = $1', [sync.name]);
    assert.equal(rep?.sync_state, 'sync');
    await leader.sql('CREATE TABLE acked (id int primary key)');
  });

  test('kill -9 of the leader, twice: every acknowledged commit is on the new leader', async () => {
    const c = cluster!;
    for (let round = 1; round <= 2; round++) {
      const old = await c.waitForLeader();
      await c.waitForReplicasStreaming(2);
      await c.waitUntil('a synchronous standby', () => syncStandby(c, old), 60_000);
      const work = new Workload(c, 'acked', round * 1_000_000);
      work.start();
      await c.waitUntil('some acknowledged commits', async () => (work.acked.length > 50 ? true : undefined), 30_000);
      old.crash();
      const next = await c.waitForNewLeader(old);
      await sleep(1000);
      await work.stop();
      assert.ok(work.acked.length > 50);
      assert.deepEqual(await missingOn(next, 'acked', work.acked), [], `round ${round}: acknowledged commits lost on ${next.name}`);
      await old.start();
    }
  });

  test('with every replica stopped writes block; when one returns they complete', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    await c.waitForReplicasStreaming(2);
    await c.waitUntil('a synchronous standby', () => syncStandby(c, leader), 60_000);
    const replicas = c.nodes.filter((n) => n !== leader);
    await Promise.all(replicas.map((r) => r.stop()));
    let done = false;
    const write = leader.sql('INSERT INTO acked VALUES (-1)').then(() => {
      done = true;
    });
    await sleep(3 * 2000 + 2000);
    assert.equal(done, false, 'a commit completed with no synchronous standby in strict mode');
    await replicas[0]!.start();
    await c.waitUntil('the blocked commit to complete', async () => (done ? true : undefined), 120_000);
    await write;
    const rows = await leader.sql<{ id: number }>('SELECT id FROM acked WHERE id = -1');
    assert.equal(rows.length, 1);
    await replicas[1]!.start();
  });
});
