// Small TTLs (issue 18, item 4): ttl 6 with loop_wait 30. The lease is renewed by its own timer, not
// by the HA cycle, so leader and member keys live on one lease across many ttls without a cycle; a
// host crash of the primary still hands over to the replica; a PostgreSQL-only crash is repaired in
// place without waiting for loop_wait. One cluster for the file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { sleep } from '../../support/tmp.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;

interface Kv {
  key: string;
  create_revision: string;
  lease?: string;
  value: string;
}

async function keys(etcd: EtcdServer, prefix: string): Promise<Map<string, Kv>> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const r = await fetch(`${etcd.endpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: b64(prefix), range_end: b64(end) }) });
  const j = (await r.json()) as { kvs?: Kv[] };
  return new Map(
    (j.kvs ?? []).map((kv) => {
      const key = Buffer.from(kv.key, 'base64').toString();
      return [key, { ...kv, key, value: Buffer.from(kv.value, 'base64').toString() }];
    }),
  );
}

describe('ttl 6, loop_wait 30', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 2, etcd, scope: 'small-ttl', staggered: true, ttl: 6, loopWait: 30, retryTimeout: 3 });
    await cluster.waitForReplicasStreaming(1);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('leader and member keys stay on their leases for 4 ttls with (almost) no HA cycle', async () => {
    const c = cluster as TestCluster;
    const e = etcd as EtcdServer;
    const leader = await c.waitForLeader();
    const prefix = '/service/small-ttl/';
    const watched = [`${prefix}leader`, ...c.nodes.map((n) => `${prefix}members/${n.name}`)];
    const before = await keys(e, prefix);
    for (const k of watched) assert.ok(before.get(k)?.lease, `${k} is bound to a lease`);
    assert.equal(before.get(`${prefix}leader`)?.value, leader.name);
    await sleep(24_000);
    const later = await keys(e, prefix);
    for (const k of watched) {
      // An expired key comes back (if at all) with a new create_revision and a new lease.
      assert.equal(later.get(k)?.create_revision, before.get(k)?.create_revision, `${k} was never deleted`);
      assert.equal(later.get(k)?.lease, before.get(k)?.lease, `${k} kept its lease`);
    }
    assert.equal(later.get(`${prefix}leader`)?.value, leader.name, 'no failover');
    assert.ok(
      c.nodes.every((n) => !/Lease .* expired|lease was not renewed/.test(n.logTail(400))),
      'no lease ran out',
    );
  });

  test('PostgreSQL-only crash (kill -9 postmaster): restarted in place by the session-loss wake, not a loop_wait (30 s) later', async () => {
    const c = cluster as TestCluster;
    const leader = await c.waitForLeader();
    await leader.sql('CREATE TABLE IF NOT EXISTS pg_crash (id int)');
    assert.ok(leader.killPostmaster('SIGKILL'));
    // Well inside loop_wait: only the event-driven path (session drop, then a prompt re-check while
    // the postmaster is still dying) can restart it this soon.
    await c.waitUntil(
      'PostgreSQL writable again in place',
      async () => {
        try {
          await leader.sql('INSERT INTO pg_crash VALUES (1)');
          return true;
        } catch {
          return undefined;
        }
      },
      20_000,
    );
    assert.equal(await c.waitForLeader(), leader, 'no failover');
  });

  test('a host crash of the primary: the replica takes over once the lease runs out', async () => {
    const c = cluster as TestCluster;
    const old = await c.waitForLeader();
    const replica = c.nodes.find((n) => n !== old) as ClusterNode;
    old.crash();
    assert.equal(await c.waitForNewLeader(old, 60_000), replica);
    await replica.sql('CREATE TABLE after_crash (id int)');
  });
});
