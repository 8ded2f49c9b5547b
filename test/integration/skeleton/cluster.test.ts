// Walking skeleton end to end (issue 2): three patroni-ts nodes on a real etcd bootstrap from empty
// data directories, replicate, fail over after a host crash, and take the crashed node back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { waitFor } from '../../support/tmp.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

describe('walking skeleton: bootstrap, replication, crash failover, rejoin', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'skeleton', ttl: 20, loopWait: 2, retryTimeout: 5 });
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('one leader and two streaming replicas; a row written on the leader is read on both replicas', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const replicas = await c.waitForReplicasStreaming(2);
    assert.equal(replicas.length, 2);
    assert.ok(!replicas.includes(leader));
    await leader.sql('CREATE TABLE skeleton (id int primary key, note text)');
    await leader.sql("INSERT INTO skeleton VALUES (1, 'written on the leader')");
    for (const r of replicas) {
      const rows = await waitFor(
        `row on ${r.name}`,
        async () => {
          const found = await r.sql<{ note: string }>('SELECT note FROM skeleton WHERE id = 1').catch(() => []);
          return found.length ? found : undefined;
        },
        30_000,
      );
      assert.equal(rows[0]?.note, 'written on the leader');
    }
  });

  test("Debian's patronictl lists our members with their roles and states", async () => {
    const c = cluster!;
    const cfg = join(c.dir, 'debian-ctl.yml');
    writeFileSync(cfg, `scope: skeleton\netcd3:\n  hosts: ${etcd!.hostPort}\n`);
    const out = spawnSync('/usr/bin/patronictl', ['-c', cfg, 'list'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const leader = (await c.leader())!;
    const rows = out.stdout
      .split('\n')
      .filter((l) => /^\| node\d/.test(l))
      .map((l) => l.split('|').map((x) => x.trim()));
    assert.equal(rows.length, 3, out.stdout);
    for (const row of rows) {
      const [, name, , role, state] = row;
      assert.equal(role, name === leader.name ? 'Leader' : 'Replica', out.stdout);
      assert.equal(state, 'running', out.stdout);
    }
  });

  test('kill -9 of the leader daemon and postmaster: exactly one replica takes over, the other follows it', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    const before = await old.sql<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    assert.ok(before.length === 1);
    await old.sql("INSERT INTO skeleton VALUES (2, 'before the crash')");
    old.crash();

    const survivors = c.nodes.filter((n) => n !== old);
    const next = await c.waitForNewLeader(old);
    assert.ok(survivors.includes(next));
    const other = survivors.find((n) => n !== next)!;
    await c.waitUntil(
      `${other.name} streaming from ${next.name}`,
      async () => {
        const s = await other.status();
        return s?.replication_state === 'streaming' && s.timeline === (await next.status())?.timeline ? true : undefined;
      },
      60_000,
    );
    // The winner can say why it won: the race's reasons stay in GET /explain after quieter cycles.
    const explain = await next.api('/explain');
    assert.equal(explain.status, 200);
    assert.match(explain.text, /"lastWeighing": \{"at": "[^"]+", "message": "promoted self to leader by acquiring session lock"/);
    assert.match(explain.text, new RegExp(`"member": "${next.name}", "eligible": true`));
    const rows = await next.sql<{ note: string }>('SELECT note FROM skeleton WHERE id = 2');
    assert.equal(rows[0]?.note, 'before the crash');
    await next.sql("INSERT INTO skeleton VALUES (3, 'after the failover')");
    oldLeader = old;
  });

  let oldLeader: ClusterNode | undefined;

  test('the crashed node, started again, rejoins as a replica by pg_rewind, keeping its data directory', async () => {
    const c = cluster!;
    const old = oldLeader!;
    const sysidBefore = readFileSync(join(old.dataDir, 'global', 'pg_control'))
      .subarray(0, 8)
      .toString('hex');
    await old.start();
    await c.waitUntil(
      `${old.name} streaming again`,
      async () => {
        const s = await old.status();
        return s?.role === 'replica' && s.replication_state === 'streaming' ? true : undefined;
      },
      120_000,
    );
    const log = old.logTail(400);
    assert.match(log, /running pg_rewind from node\d/);
    assert.doesNotMatch(log, /bootstrap from leader/);
    const sysidAfter = readFileSync(join(old.dataDir, 'global', 'pg_control'))
      .subarray(0, 8)
      .toString('hex');
    assert.equal(sysidAfter, sysidBefore);
    const rows = await waitFor(
      'row 3 on the rejoined node',
      async () => {
        const found = await old.sql<{ note: string }>('SELECT note FROM skeleton WHERE id = 3').catch(() => []);
        return found.length ? found : undefined;
      },
      30_000,
    );
    assert.equal(rows[0]?.note, 'after the failover');
  });
});
