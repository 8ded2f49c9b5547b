// A permanent logical slot from `slots` survives a failover without losing changes for its consumer:
// replicas copy the slot from the primary, keep it at the position the leader publishes, and the new
// primary decodes everything the consumer had not confirmed yet.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

/** confirmed_flush_lsn of slot `ls` in bytes, undefined while it does not exist there. */
async function slotLsn(n: ClusterNode): Promise<number | undefined> {
  const rows = await n
    .sql<{ lsn: string | null }>("SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = 'ls'")
    .catch(() => []);
  const lsn = rows[0]?.lsn;
  return lsn === undefined || lsn === null ? undefined : Number(lsn);
}

describe('permanent logical slot', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      scope: 'logical',
      staggered: true,
      dcs: { slots: { ls: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } }, postgresql: { parameters: { wal_level: 'logical' } } },
    });
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('changes the consumer did not confirm are decoded on the new primary after a failover', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const replicas = await c.waitForReplicasStreaming(2);
    await c.waitUntil('slot ls on the leader', () => slotLsn(leader), 60_000);

    // The consumer reads and confirms the first change only.
    await leader.sql('CREATE TABLE ls_t (v text)');
    await leader.sql("INSERT INTO ls_t VALUES ('consumed-1')");
    const peeked = await leader.sql<{ lsn: string; data: string }>("SELECT lsn::text, data FROM pg_logical_slot_peek_changes('ls', NULL, NULL)");
    const commit = peeked.filter((r) => r.data.startsWith('COMMIT')).at(-1);
    assert.ok(peeked.some((r) => r.data.includes('consumed-1')) && commit, JSON.stringify(peeked));
    await leader.sql('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', ['ls', commit.lsn]);
    const confirmed = (await slotLsn(leader))!;
    await leader.sql("INSERT INTO ls_t VALUES ('pending-1')");
    await leader.sql("INSERT INTO ls_t VALUES ('pending-2')");

    // Every replica holds a copy at the consumer's position, with hot_standby_feedback on.
    for (const r of replicas) {
      await c.waitUntil(`${r.name}: slot ls copied and advanced to ${confirmed}`, async () => ((await slotLsn(r)) === confirmed ? true : undefined), 90_000);
      const [feedback] = await r.sql<{ hot_standby_feedback: string }>('SHOW hot_standby_feedback');
      assert.equal(feedback?.hot_standby_feedback, 'on', r.name);
      await c.waitUntil(
        `${r.name} replayed the pending rows`,
        async () => {
          const [row] = await r.sql<{ n: string }>("SELECT count(*)::text AS n FROM ls_t WHERE v LIKE 'pending-%'");
          return row?.n === '2' ? true : undefined;
        },
        30_000,
      );
    }

    leader.crash();
    const next = await c.waitForNewLeader(leader);

    const lsn = await slotLsn(next);
    assert.ok(lsn !== undefined && lsn <= confirmed, `slot on ${next.name} at ${lsn}, consumer confirmed ${confirmed}`);
    const changes = (await next.sql<{ data: string }>("SELECT data FROM pg_logical_slot_get_changes('ls', NULL, NULL)")).map((r) => r.data);
    assert.ok(
      changes.some((d) => d.includes('pending-1')) && changes.some((d) => d.includes('pending-2')),
      `changes on ${next.name}: ${JSON.stringify(changes)}`,
    );
    assert.ok(!changes.some((d) => d.includes('consumed-1')), `already confirmed change decoded again: ${JSON.stringify(changes)}`);
  });
});
