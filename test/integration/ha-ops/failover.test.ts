// Failover safety (issue 3): a named candidate while the leader is down, a lagging replica is never
// promoted, failover_priority and nofailover decide between equally current replicas.
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { patronictl } from '../../support/patronictl.js';
import { sleep } from '../../support/tmp.js';
import { isObject, mergePatch, type JsonObject } from '../../../src/util/json.js';
import { dcsKey } from '../../support/dcs-key.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

describe('failover', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.remove();
    cluster = undefined;
  });
  after(async () => {
    await etcd?.stop();
  });

  test('to a named replica while the leader is down', async () => {
    etcd ??= await startEtcd();
    const c = (cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'fo-named', staggered: true }));
    await c.waitForReplicasStreaming(2);
    const old = await c.waitForLeader();
    const [a, b] = c.nodes.filter((n) => n !== old) as [ClusterNode, ClusterNode];
    old.crash();
    const r = patronictl(c, ['failover', 'fo-named', '--candidate', b.name, '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(await c.waitForNewLeader(old), b);
    await c.waitUntil(`${a.name} follows ${b.name}`, async () => ((await a.status())?.replication_state === 'streaming' ? true : undefined), 60_000);
  });

  test('a replica lagging beyond maximum_lag_on_failover is not promoted', async () => {
    etcd ??= await startEtcd();
    const c = (cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'fo-lag', staggered: true }));
    await c.waitForReplicasStreaming(2);
    const leader = await c.waitForLeader();
    const [fresh, stale] = c.nodes.filter((n) => n !== leader) as [ClusterNode, ClusterNode];
    await stale.stop();
    // 8 MB of WAL the stopped replica never sees; maximum_lag_on_failover is 1 MB.
    await leader.sql("CREATE TABLE big AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, 8000) g");
    // The leader publishes its new position in the status key: the stale replica compares itself with it.
    const [pos] = await leader.sql<{ lsn: string }>("SELECT (pg_catalog.pg_current_wal_flush_lsn() - '0/0')::bigint::text AS lsn");
    await c.waitUntil(
      'the leader to publish its new position in the status key',
      async () => {
        const status = dcsKey(c, 'status');
        return isObject(status) && typeof status.optime === 'number' && status.optime >= Number(pos?.lsn) ? true : undefined;
      },
      30_000,
    );
    await fresh.stop();
    leader.crash();
    await stale.start();
    await sleep(35_000); // longer than ttl: the leader key is gone and the race has run
    assert.equal(await c.leader(), undefined, 'the lagging replica must not promote');
    assert.match(stale.logTail(200), /not the healthiest node/);
    await fresh.start();
    assert.equal(await c.waitForNewLeader(leader), fresh);
  });

  test('failover_priority prefers the higher priority; nofailover never promotes', async () => {
    etcd ??= await startEtcd();
    const tags = (i: number): JsonObject => ({ tags: i === 3 ? { failover_priority: 5 } : {} });
    const c = (cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'fo-prio', staggered: true, nodeOverrides: tags }));
    await c.waitForReplicasStreaming(2);
    const first = await c.waitForLeader();
    assert.equal(first.name, 'node1');
    first.crash();
    assert.equal((await c.waitForNewLeader(first)).name, 'node3', 'equal WAL positions: the higher failover_priority wins');

    // node2 becomes nofailover through a config reload (SIGHUP); node1 rejoins, then node3 crashes.
    const node2 = c.node('node2');
    node2.writeConfig(mergePatch(node2.config, { tags: { nofailover: true } }));
    node2.kill('SIGHUP');
    await first.start();
    await c.waitForReplicasStreaming(2);
    await c.waitUntil(
      'node2 publishes nofailover',
      async () => (((await node2.status())?.tags as JsonObject | undefined)?.nofailover === true ? true : undefined),
      30_000,
    );
    const node3 = c.node('node3');
    node3.crash();
    assert.equal((await c.waitForNewLeader(node3)).name, 'node1', 'node2 is tagged nofailover');
  });
});
