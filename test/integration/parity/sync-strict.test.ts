// Issue 17 item 2, synchronous_mode_strict as Patroni 4.1 runs it: a new primary with no replication
// connection from a Patroni member warns and keeps synchronous_standby_names (commits wait) until a
// member connects, then names it in synchronous_standby_names and the `sync` key.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { dcsKey } from '../../support/dcs-key.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';
import { sleep } from '../../support/tmp.js';
import { isObject } from '../../../src/util/json.js';

const skip = skipAsRoot;

const PLACEHOLDER = '__patroni_strict_sync_replica_placeholder__';
const WARNING = /WARNING: No active replication connections from Patroni members and synchronous_mode_strict is requested/;

const ssn = async (n: ClusterNode): Promise<string | undefined> =>
  (await n.sql<{ v: string }>("SELECT pg_catalog.current_setting('synchronous_standby_names') AS v").catch(() => []))[0]?.v;
const syncKey = (c: TestCluster): string => {
  const v = dcsKey(c, 'sync');
  return isObject(v) ? `${String(v.leader)}:${String(v.sync_standby)}` : 'none';
};

describe('synchronous_mode_strict as Patroni 4.1', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 2,
      etcd,
      scope: 'pstrict',
      staggered: true,
      dcs: { synchronous_mode: true, synchronous_mode_strict: true },
    });
    await cluster.waitForReplicasStreaming(1);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('a new primary without replication connections warns, keeps its names and makes commits wait until a member connects', async () => {
    const c = cluster!;
    const [node1, node2] = [c.node('node1'), c.node('node2')];
    await c.waitUntil('node2 synchronous', async () => (syncKey(c) === 'node1:node2' && (await ssn(node1)) === 'node2' ? true : undefined), 60_000);
    await node1.sql('CREATE TABLE strict_t (id int)');
    await node1.stop();
    await c.waitUntil('node2 primary', async () => ((await node2.api('/primary')).status === 200 ? true : undefined), 90_000);
    await c.waitUntil('the WARNING on node2', async () => (WARNING.test(node2.logTail(200)) ? true : undefined), 30_000);
    assert.equal(syncKey(c), 'node2:null');
    assert.equal(await ssn(node2), PLACEHOLDER);
    let done = false;
    const write = node2.sql('INSERT INTO strict_t VALUES (1)').then(() => {
      done = true;
    });
    await sleep(5000); // two cycles: nothing may release the commit while nobody is connected
    assert.equal(done, false, 'a commit completed with no synchronous standby in strict mode');
    assert.equal(await ssn(node2), PLACEHOLDER);
    await node1.start();
    await c.waitUntil('node1 named synchronous', async () => (syncKey(c) === 'node2:node1' && (await ssn(node2)) === 'node1' ? true : undefined), 120_000);
    await c.waitUntil('the waiting commit completes', async () => (done ? true : undefined), 30_000);
    await write;
  });
});
