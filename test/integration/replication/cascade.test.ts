// Cascading replication: a replica tagged replicatefrom streams from that member, and from the
// leader once that member is gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import type { JsonObject } from '../../../src/util/json.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

const streamsTo = async (upstream: ClusterNode, name: string): Promise<true | undefined> => {
  const rows = await upstream.sql<{ s: string }>('SELECT state AS s FROM pg_stat_replication WHERE application_name = $1', [name]).catch(() => []);
  return rows[0]?.s === 'streaming' ? true : undefined;
};

describe('cascading replica (replicatefrom)', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      scope: 'cascade',
      staggered: true,
      nodeOverrides: (i): JsonObject => (i === 3 ? { tags: { replicatefrom: 'node2' } } : {}),
    });
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('node3 streams from node2, not from the leader; a row reaches it', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    assert.equal(leader.name, 'node1');
    const [node2, node3] = [c.node('node2'), c.node('node3')];
    await c.waitUntil('node3 streaming from node2', () => streamsTo(node2, 'node3'), 120_000);
    assert.equal(await streamsTo(leader, 'node3'), undefined);
    await leader.sql('CREATE TABLE cascade_t (id int)');
    await leader.sql('INSERT INTO cascade_t VALUES (1)');
    await c.waitUntil('the row on node3', async () => ((await node3.sql('SELECT 1 FROM cascade_t').catch(() => [])).length ? true : undefined), 30_000);
  });

  test('when node2 dies node3 follows the leader', async () => {
    const c = cluster!;
    const leader = c.node('node1');
    const node2 = c.node('node2');
    node2.crash();
    await c.waitUntil('node3 streaming from the leader', () => streamsTo(leader, 'node3'), 120_000);
    await leader.sql('INSERT INTO cascade_t VALUES (2)');
    await c.waitUntil(
      'the new row on node3',
      async () =>
        (
          await c
            .node('node3')
            .sql('SELECT 1 FROM cascade_t WHERE id = 2')
            .catch(() => [])
        ).length
          ? true
          : undefined,
      30_000,
    );
  });
});
