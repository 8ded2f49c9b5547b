// A logical slot copied to a replica whose WAL from the slot's restart_lsn was already recycled
// there: the copy fetches the missing segments from the primary, so after a failover the new
// primary still decodes every change the consumer had not confirmed (without them:
// "requested WAL segment ... has already been removed").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { assertDecodesPendingOnly, slotLsn, waitPendingReplayed } from '../../support/replication/logical.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;
const SLOT = 'lw';

async function hasWalFile(n: ClusterNode, file: string): Promise<boolean> {
  const [row] = await n.sql<{ n: string }>('SELECT count(*)::text AS n FROM pg_ls_waldir() WHERE name = $1', [file]);
  return row?.n === '1';
}

describe('logical slot copied after the replica recycled its WAL', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 2,
      etcd,
      scope: 'logical-wal',
      staggered: true,
      // The slot is made by hand first (ignored until it becomes permanent), so the replica cannot copy it early.
      dcs: { ignore_slots: [{ name: SLOT }], postgresql: { parameters: { wal_level: 'logical', wal_keep_size: '16MB' } } },
    });
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('the copy brings the missing WAL along: unconfirmed changes decode on the new primary', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const [replica] = await c.waitForReplicasStreaming(1);
    assert.ok(replica);

    await leader.sql("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [SLOT]);
    await leader.sql('CREATE TABLE lw_t (v text)');
    await leader.sql("INSERT INTO lw_t VALUES ('consumed-1')");
    const peeked = await leader.sql<{ lsn: string; data: string }>('SELECT lsn::text, data FROM pg_logical_slot_peek_changes($1, NULL, NULL)', [SLOT]);
    const commit = peeked.filter((r) => r.data.startsWith('COMMIT')).at(-1);
    assert.ok(peeked.some((r) => r.data.includes('consumed-1')) && commit, JSON.stringify(peeked));
    await leader.sql('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [SLOT, commit.lsn]);
    const confirmed = (await slotLsn(leader, SLOT))!;
    await leader.sql("INSERT INTO lw_t VALUES ('pending-1')");
    await leader.sql("INSERT INTO lw_t VALUES ('pending-2')");

    // The consumer holds the slot back while the cluster moves on by several segments.
    for (let i = 0; i < 5; i++) {
      await leader.sql("INSERT INTO lw_t VALUES ('filler')");
      await leader.sql('SELECT pg_switch_wal()');
    }
    await leader.sql('CHECKPOINT');
    const [slot] = await leader.sql<{ file: string }>('SELECT pg_walfile_name(restart_lsn) AS file FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
    const file = slot!.file;
    assert.ok(await hasWalFile(leader, file), `${file} is held by the slot on the leader`);

    // The replica recycles the segment at a restartpoint once nothing there holds it (its copy of
    // the leader's member slot follows the leader's published position one loop later): each round
    // a new checkpoint on the leader, replayed, then a restartpoint on the replica.
    await c.waitUntil(
      `${replica.name} recycled ${file}`,
      async () => {
        await leader.sql('CHECKPOINT');
        const [end] = await leader.sql<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
        const [r] = await replica.sql<{ behind: boolean }>('SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [end!.lsn]);
        if (r?.behind) return undefined;
        await replica.sql('CHECKPOINT');
        return (await hasWalFile(replica, file)) ? undefined : true;
      },
      90_000,
    );

    // Now the slot becomes permanent: the replica copies it from the leader.
    const patch = await leader.api('/config', {
      method: 'PATCH',
      body: JSON.stringify({ slots: { [SLOT]: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } } }),
    });
    assert.equal(patch.status, 200, patch.text);
    await c.waitUntil(
      `${replica.name}: slot ${SLOT} copied at ${confirmed}`,
      async () => ((await slotLsn(replica, SLOT)) === confirmed ? true : undefined),
      120_000,
    );
    assert.ok(await hasWalFile(replica, file), `${file} fetched into ${replica.name}'s pg_wal`);
    await waitPendingReplayed(c, replica, 'lw_t', 60_000);

    leader.crash();
    const next = await c.waitForNewLeader(leader);
    assert.equal(next.name, replica.name);
    await assertDecodesPendingOnly(next, SLOT);
  });
});
