// Issue 17 item 3, quorum commit as Patroni 4.1 computes it (Ha._process_quorum_replication,
// QuorumStateResolver): the `sync` key's leader/quorum/sync_standby and synchronous_standby_names
// on one node, with the strict placeholder, after a restart alone, across synchronous_node_count
// changes, and with a member tagged nosync.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { dcsKey } from '../../support/dcs-key.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';
import { isObject, type JsonObject } from '../../../src/util/json.js';

const skip = skipAsRoot;

const PLACEHOLDER = '__patroni_strict_sync_replica_placeholder__';

const ssn = async (n: ClusterNode): Promise<string | undefined> =>
  (await n.sql<{ v: string }>("SELECT pg_catalog.current_setting('synchronous_standby_names') AS v").catch(() => []))[0]?.v;

/** The sync key as {leader, quorum, sync_standby} with sync_standby's names sorted. */
function syncKey(c: TestCluster): JsonObject | undefined {
  const v = dcsKey(c, 'sync');
  if (!isObject(v)) return undefined;
  const s = v.sync_standby;
  return { leader: v.leader ?? null, quorum: v.quorum ?? null, sync_standby: typeof s === 'string' ? s.split(',').sort().join(',') : (s ?? null) };
}

describe('quorum commit as Patroni 4.1', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'pquorum', startNodes: false });
    await cluster.nodes[0]!.start();
    await cluster.waitForLeader();
    // PATCH /config answers 503 until the leader has published the config key.
    await cluster.waitUntil('the config key', async () => (dcsKey(cluster!, 'config') !== undefined ? true : undefined), 60_000);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  const patch = async (body: JsonObject): Promise<void> => {
    const leader = await cluster!.waitForLeader();
    const r = await leader.api('/config', { method: 'PATCH', body: JSON.stringify(body) });
    assert.equal(r.status, 200, r.text);
  };
  const until = (what: string, fn: () => Promise<boolean> | boolean, ms = 60_000) =>
    cluster!.waitUntil(what, async () => ((await fn()) ? true : undefined), ms);

  test('one node: quorum mode writes leader and quorum 0, names empty; strict sets the placeholder', async () => {
    const c = cluster!;
    const node1 = c.node('node1');
    await patch({ synchronous_mode: 'quorum' });
    await until('sync key {leader: node1, quorum: 0}', () => JSON.stringify(syncKey(c)) === '{"leader":"node1","quorum":0,"sync_standby":null}');
    assert.equal(await ssn(node1), '');
    await patch({ synchronous_mode_strict: true });
    await until('ANY 1 (placeholder)', async () => (await ssn(node1)) === `ANY 1 (${PLACEHOLDER})`);
    assert.deepEqual(syncKey(c), { leader: 'node1', quorum: 0, sync_standby: null });
    await node1.waitForLog(/WARNING: Replication factor 2 requested, but 0 synchronous standbys available\. Commits will be delayed\./, 100);
  });

  test('shut down and started alone, the node leads again', async () => {
    const c = cluster!;
    const node1 = c.node('node1');
    await node1.stop();
    await node1.start();
    await until('node1 primary again', async () => (await node1.api('/primary')).status === 200, 90_000);
    assert.equal(dcsKey(c, 'leader'), 'node1');
    await until('ANY 1 (placeholder) again', async () => (await ssn(node1)) === `ANY 1 (${PLACEHOLDER})`);
  });

  test('three nodes: quorum and names follow synchronous_node_count', async () => {
    const c = cluster!;
    const node1 = c.node('node1');
    await patch({ synchronous_mode_strict: false, synchronous_node_count: 1 });
    await c.node('node2').start();
    await c.node('node3').start();
    await c.waitForReplicasStreaming(2);
    await until(
      'count 1: quorum 1 over node2,node3',
      () => JSON.stringify(syncKey(c)) === '{"leader":"node1","quorum":1,"sync_standby":"node2,node3"}',
      90_000,
    );
    await until('ANY 1 (node2,node3)', async () => (await ssn(node1)) === 'ANY 1 (node2,node3)');
    await patch({ synchronous_node_count: 2 });
    await until('count 2: quorum 0', () => JSON.stringify(syncKey(c)) === '{"leader":"node1","quorum":0,"sync_standby":"node2,node3"}');
    await until('ANY 2 (node2,node3)', async () => (await ssn(node1)) === 'ANY 2 (node2,node3)');
  });

  test('a member tagged nosync leaves the voters and synchronous_standby_names', async () => {
    const c = cluster!;
    const node1 = c.node('node1');
    const node3 = c.node('node3');
    node3.writeConfig({ ...node3.config, tags: { nosync: true } });
    assert.equal((await node3.api('/reload', { method: 'POST' })).status, 202);
    await until('node3 out of the voters', () => JSON.stringify(syncKey(c)) === '{"leader":"node1","quorum":0,"sync_standby":"node2"}');
    await until('ANY 1 (node2)', async () => (await ssn(node1)) === 'ANY 1 (node2)');
    await until('node3 /quorum 503', async () => (await node3.api('/quorum')).status === 503, 30_000);
    assert.equal((await c.node('node2').api('/quorum')).status, 200);
  });
});
