// A permanent logical slot from `slots` exists on the new primary after a failover, at a position
// no older than what its consumer had confirmed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;

const slotLsn = async (n: { sql: TestCluster['nodes'][number]['sql'] }) =>
  (await n.sql<{ lsn: string }>("SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = 'logi'").catch(() => []))[0]?.lsn;

describe('permanent logical slot', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts', nodes: 2, etcd, scope: 'logical', staggered: true,
      dcs: { slots: { logi: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } }, postgresql: { parameters: { wal_level: 'logical' } } },
    });
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('the slot is created on the primary and survives a failover', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    await c.waitForReplicasStreaming(1);
    await c.waitUntil('slot logi on the leader', async () => (await slotLsn(leader)) ?? undefined, 60_000);
    await leader.sql('CREATE TABLE logi_t (id int)');
    await leader.sql('INSERT INTO logi_t VALUES (1)');
    await leader.sql("SELECT count(*) FROM pg_logical_slot_get_changes('logi', NULL, NULL)");
    const confirmed = Number(await slotLsn(leader));
    assert.ok(confirmed > 0);
    leader.kill('SIGKILL');
    leader.killPostmaster('SIGKILL');
    const next = await c.waitUntil('a new leader', async () => {
      const l = await c.leader();
      return l && l !== leader ? l : undefined;
    }, 90_000);
    const lsn = Number(await c.waitUntil('slot logi on the new leader', async () => (await slotLsn(next)) ?? undefined, 60_000));
    assert.ok(lsn >= confirmed, `slot at ${lsn}, consumer confirmed ${confirmed}`);
  });
});
