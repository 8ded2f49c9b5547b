// Issue 17 item 6, tags as Patroni 4.1 reads them (Tags._bool_tag, Tags._priority_tag,
// Config._validate_contradictory_tags): nofailover/nosync win over their priority with a WARNING;
// the higher sync_priority is chosen first and 0 is never synchronous; with equal WAL the higher
// failover_priority takes over and failover_priority 0 never leads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { dcsKey } from '../../support/dcs-key.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';
import { isObject, type JsonObject } from '../../../src/util/json.js';

const skip = skipAsRoot;

const TAGS: Record<number, JsonObject> = {
  2: { failover_priority: 1, sync_priority: 1 },
  3: { failover_priority: 3, sync_priority: 2 },
  // Highest priorities, but the boolean tags say no: they win.
  4: { nofailover: true, failover_priority: 5, nosync: true, sync_priority: 5 },
};

const syncStandbys = (c: TestCluster): string | undefined => {
  const v = dcsKey(c, 'sync');
  if (!isObject(v)) return undefined;
  const s = v.sync_standby;
  return typeof s === 'string' ? s.split(',').sort().join(',') : s === null ? '' : undefined;
};
const ssn = async (n: ClusterNode): Promise<string | undefined> =>
  (await n.sql<{ v: string }>("SELECT pg_catalog.current_setting('synchronous_standby_names') AS v"))[0]?.v;

describe('tags: precedence and priorities as Patroni 4.1', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 4,
      etcd,
      scope: 'ptags',
      staggered: true,
      dcs: { synchronous_mode: true, synchronous_node_count: 1 },
      nodeOverrides: (i): JsonObject => {
        const tags = TAGS[i];
        return tags ? { tags } : {};
      },
    });
    await cluster.waitForReplicasStreaming(3);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  const patchConfig = async (c: TestCluster, body: JsonObject): Promise<void> => {
    const leader = await c.waitForLeader();
    const r = await leader.api('/config', { method: 'PATCH', body: JSON.stringify(body) });
    assert.equal(r.status, 200, r.text);
  };

  test("nofailover and nosync win over their priorities, with Patroni's warnings; the higher sync_priority is chosen first", async () => {
    const c = cluster!;
    const node4 = c.node('node4');
    const log = node4.logTail(400);
    assert.match(log, /WARNING: Conflicting configuration between nofailover: True and failover_priority: 5\. Defaulting to nofailover: True/);
    assert.match(log, /WARNING: Conflicting configuration between nosync: True and sync_priority: 5\. Defaulting to nosync: True/);
    const key = dcsKey(c, 'members/node4');
    assert.ok(isObject(key));
    assert.deepEqual(key.tags, TAGS[4]);
    const leader = await c.waitForLeader();
    assert.equal(leader.name, 'node1');
    await c.waitUntil('sync_standby node3 (sync_priority 2 before 1)', async () => (syncStandbys(c) === 'node3' ? true : undefined), 60_000);
    await c.waitUntil('synchronous_standby_names names node3', async () => ((await ssn(leader)) === 'node3' ? true : undefined), 30_000);
    await patchConfig(c, { synchronous_node_count: 3 });
    await c.waitUntil('node2 and node3 synchronous, never node4', async () => (syncStandbys(c) === 'node2,node3' ? true : undefined), 60_000);
    assert.equal(await ssn(leader), 'FIRST 2 (node2,node3)');
    assert.equal((await node4.api('/sync')).status, 503);
  });

  test('sync_priority 0 is never synchronous', async () => {
    const c = cluster!;
    const node2 = c.node('node2');
    node2.writeConfig({ ...node2.config, tags: { failover_priority: 1, sync_priority: 0 } });
    assert.equal((await node2.api('/reload', { method: 'POST' })).status, 202);
    await c.waitUntil('node2 left the sync set', async () => (syncStandbys(c) === 'node3' ? true : undefined), 60_000);
    const leader = await c.waitForLeader();
    await c.waitUntil('synchronous_standby_names without node2', async () => ((await ssn(leader)) === 'node3' ? true : undefined), 30_000);
    await c.waitUntil('node2 /sync 503', async () => ((await node2.api('/sync')).status === 503 ? true : undefined), 30_000);
  });

  test('equal WAL: the higher failover_priority takes over; failover_priority 0 never leads', async () => {
    const c = cluster!;
    const node4 = c.node('node4');
    node4.writeConfig({ ...node4.config, tags: { failover_priority: 0, sync_priority: 0 } });
    assert.equal((await node4.api('/reload', { method: 'POST' })).status, 202);
    await c.waitUntil(
      'node4 key shows failover_priority 0 alone',
      async () => {
        const k = dcsKey(c, 'members/node4');
        return isObject(k) && JSON.stringify(k.tags) === '{"failover_priority":0,"sync_priority":0}' ? true : undefined;
      },
      30_000,
    );
    await patchConfig(c, { synchronous_mode: false });
    const leader = await c.waitForLeader();
    await leader.sql('CHECKPOINT');
    // Same WAL everywhere before the crash: the race is decided by failover_priority alone.
    await c.waitUntil(
      "replicas at the primary's position",
      async () => {
        const [p] = await leader.sql<{ lsn: string }>('SELECT pg_catalog.pg_current_wal_lsn()::text AS lsn');
        const rows = await Promise.all(
          c.nodes
            .filter((n) => n !== leader)
            .map((n) =>
              n.sql<{ lsn: string }>('SELECT pg_catalog.pg_last_wal_replay_lsn()::text AS lsn').then(
                (r) => r[0]?.lsn,
                () => undefined,
              ),
            ),
        );
        return rows.every((l) => l === p?.lsn) ? true : undefined;
      },
      60_000,
    );
    leader.crash();
    const node3 = c.node('node3');
    await c.waitUntil('node3 holds the leader key', async () => (dcsKey(c, 'leader') === 'node3' ? true : undefined), 90_000);
    await c.waitUntil('node3 answers /primary', async () => ((await node3.api('/primary')).status === 200 ? true : undefined), 60_000);
    assert.notEqual(dcsKey(c, 'leader'), 'node4');
    assert.equal((await node4.api('/primary')).status, 503);
  });
});
