// A permanent logical slot from `slots` survives a failover without losing changes for its consumer:
// replicas copy the slot from the primary, keep it at the position the leader publishes, and the new
// primary decodes everything the consumer had not confirmed yet.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { assertDecodesPendingOnly, slotLsn, waitPendingReplayed } from '../../support/replication/logical.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

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
    await c.waitUntil('slot ls on the leader', () => slotLsn(leader, 'ls'), 60_000);

    // The consumer reads and confirms the first change only.
    await leader.sql('CREATE TABLE ls_t (v text)');
    await leader.sql("INSERT INTO ls_t VALUES ('consumed-1')");
    const peeked = await leader.sql<{ lsn: string; data: string }>("SELECT lsn::text, data FROM pg_logical_slot_peek_changes('ls', NULL, NULL)");
    const commit = peeked.filter((r) => r.data.startsWith('COMMIT')).at(-1);
    assert.ok(peeked.some((r) => r.data.includes('consumed-1')) && commit, JSON.stringify(peeked));
    await leader.sql('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', ['ls', commit.lsn]);
    const confirmed = (await slotLsn(leader, 'ls'))!;
    await leader.sql("INSERT INTO ls_t VALUES ('pending-1')");
    await leader.sql("INSERT INTO ls_t VALUES ('pending-2')");

    // Every replica holds a copy at the consumer's position, with hot_standby_feedback on.
    for (const r of replicas) {
      await c.waitUntil(
        `${r.name}: slot ls copied and advanced to ${confirmed}`,
        async () => ((await slotLsn(r, 'ls')) === confirmed ? true : undefined),
        90_000,
      );
      const [feedback] = await r.sql<{ hot_standby_feedback: string }>('SHOW hot_standby_feedback');
      assert.equal(feedback?.hot_standby_feedback, 'on', r.name);
      await waitPendingReplayed(c, r, 'ls_t', 30_000);
    }

    leader.crash();
    const next = await c.waitForNewLeader(leader);

    const lsn = await slotLsn(next, 'ls');
    assert.ok(lsn !== undefined && lsn <= confirmed, `slot on ${next.name} at ${lsn}, consumer confirmed ${confirmed}`);
    await assertDecodesPendingOnly(next, 'ls');
  });
});
