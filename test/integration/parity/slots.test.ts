// Issue 17 item 4, replication slots as Patroni 4.1 keeps them (Cluster._get_members_slots,
// _get_permanent_slots, AbstractDCS._build_retain_slots): with member_slots_ttl every node keeps a
// physical slot for each other member that streams, plus the permanent slots; the leader publishes
// all of them in `status.slots` and the member slots (its own included) in `status.retain_slots`;
// permanent logical slots are copied to replicas that may be promoted, never to a nostream member.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { dcsKey } from '../../support/dcs-key.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';
import { makeTempDir } from '../../support/tmp.js';
import { isObject, type JsonObject } from '../../../src/util/json.js';

const skip = skipAsRoot;

const slotsOn = async (n: ClusterNode): Promise<string> =>
  (await n.sql<{ s: string }>("SELECT slot_name || ':' || slot_type AS s FROM pg_catalog.pg_replication_slots ORDER BY slot_name").catch(() => []))
    .map((r) => r.s)
    .join(',');

describe('replication slots as Patroni 4.1', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  const archive = makeTempDir('slot-archive');
  before(async () => {
    etcd = await startEtcd();
    const dcs: JsonObject = {
      slots: { perm_phys: { type: 'physical' }, perm_logical: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } },
      postgresql: { parameters: { wal_level: 'logical', archive_mode: 'on', archive_command: `test ! -f ${archive.path}/%f && cp %p ${archive.path}/%f` } },
    };
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      scope: 'pslots',
      staggered: true,
      dcs,
      // node3 takes WAL from the archive only.
      nodeOverrides: (i): JsonObject =>
        i === 3 ? { tags: { nostream: true }, postgresql: { recovery_conf: { restore_command: `cp ${archive.path}/%f %p` } } } : {},
    });
    await cluster.waitForLeader();
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
    archive.remove();
  });

  test('each node keeps the member and permanent slots Patroni keeps; logical copies skip the nostream member', async () => {
    const c = cluster!;
    const [node1, node2, node3] = [c.node('node1'), c.node('node2'), c.node('node3')];
    await c.waitUntil(
      'slots on node1',
      async () => ((await slotsOn(node1)) === 'node2:physical,perm_logical:logical,perm_phys:physical' ? true : undefined),
      120_000,
    );
    await c.waitUntil(
      'slots on node2',
      async () => ((await slotsOn(node2)) === 'node1:physical,perm_logical:logical,perm_phys:physical' ? true : undefined),
      120_000,
    );
    await c.waitUntil(
      'slots on node3',
      async () => ((await slotsOn(node3)) === 'node1:physical,node2:physical,perm_phys:physical' ? true : undefined),
      120_000,
    );
    assert.equal((await node3.status())?.replication_state, 'in archive recovery');
  });

  test("the status key: slots for all of them, retain_slots with the member slots including the leader's", async () => {
    const c = cluster!;
    const status = await c.waitUntil(
      'status with slots',
      async () => {
        const s = dcsKey(c, 'status');
        return isObject(s) && isObject(s.slots) && Object.keys(s.slots).length === 4 ? s : undefined;
      },
      60_000,
    );
    assert.ok(isObject(status.slots));
    assert.deepEqual(Object.keys(status.slots).sort(), ['node1', 'node2', 'perm_logical', 'perm_phys']);
    for (const v of Object.values(status.slots)) assert.equal(typeof v, 'number');
    assert.deepEqual(status.retain_slots, ['node1', 'node2']);
  });
});
