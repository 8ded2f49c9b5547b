// Issue 17 item 5, standby clusters as Patroni 4.1 runs them: a primary cluster demoted to a standby
// fed only by restore_command reports `in archive recovery`; switchover and failover inside it move
// the standby leader; a DR drill (the other site promoted, written to, demoted) and promote-cluster
// back carries the rows written meanwhile.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { dcsKey } from '../../support/dcs-key.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';
import { patronictl } from '../../support/patronictl.js';
import { makeTempDir } from '../../support/tmp.js';
import { isObject } from '../../../src/util/json.js';

const skip = skipAsRoot;

const hasRow = async (n: ClusterNode, id: number): Promise<true | undefined> =>
  (await n.sql('SELECT 1 FROM dr_t WHERE id = $1', [id]).catch(() => [])).length ? true : undefined;

describe('standby clusters as Patroni 4.1', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let siteA: TestCluster | undefined;
  let siteB: TestCluster | undefined;
  const archive = makeTempDir('archive');
  const restore = `cp ${archive.path}/%f %p`;
  const archiving = { postgresql: { parameters: { archive_mode: 'on', archive_command: `test ! -f ${archive.path}/%f && cp %p ${archive.path}/%f` } } };

  before(async () => {
    etcd = await startEtcd();
    siteA = await startCluster({ impl: 'ts', nodes: 2, etcd, scope: 'site-a', staggered: true, dcs: archiving });
    await siteA.waitForReplicasStreaming(1);
    const a1 = await siteA.waitForLeader();
    await a1.sql('CREATE TABLE dr_t (id int)');
    siteB = await startCluster({
      impl: 'ts',
      nodes: 1,
      etcd,
      scope: 'site-b',
      dcs: { ...archiving, standby_cluster: { host: '127.0.0.1', port: a1.pgPort, restore_command: restore } },
    });
    const b1 = siteB.nodes[0]!;
    await siteB.waitUntil('b1 standby leader', async () => ((await b1.api('/standby_leader')).status === 200 ? true : undefined), 120_000);
  });
  after(async () => {
    await siteB?.remove();
    await siteA?.remove();
    await etcd?.stop();
    archive.remove();
  });

  test('demote-cluster to a standby fed only by restore_command: in archive recovery', async () => {
    const a = siteA!;
    const a1 = await a.waitForLeader();
    await a1.sql('INSERT INTO dr_t VALUES (1)');
    await siteB!.waitUntil('row 1 on b1', () => hasRow(siteB!.nodes[0]!, 1), 60_000);
    const r = patronictl(a, ['demote-cluster', 'site-a', '--restore-command', restore, '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cluster is successfully demoted/);
    const config = dcsKey(a, 'config');
    assert.ok(isObject(config) && isObject(config.standby_cluster));
    assert.deepEqual(config.standby_cluster, { restore_command: restore });
    await a.waitUntil(
      'a1 standby leader in archive recovery',
      async () => {
        const s = await a1.status();
        return s?.role === 'standby_leader' && s.replication_state === 'in archive recovery' ? true : undefined;
      },
      60_000,
    );
    assert.equal((await a1.api('/standby_leader')).status, 200);
    assert.equal((await a1.api('/primary')).status, 503);
    assert.ok(await hasRow(a1, 1));
  });

  test('switchover and failover inside the standby cluster move the standby leader', async () => {
    const a = siteA!;
    const [a1, a2] = [a.node('node1'), a.node('node2')];
    const s = patronictl(a, ['switchover', 'site-a', '--leader', a1.name, '--candidate', a2.name, '--force']);
    assert.equal(s.status, 0, s.stderr);
    await a.waitUntil('a2 holds the leader key', async () => (dcsKey(a, 'leader') === a2.name ? true : undefined), 60_000);
    await a.waitUntil('/standby_leader 200 on a2', async () => ((await a2.api('/standby_leader')).status === 200 ? true : undefined), 60_000);
    await a.waitUntil('a2 in archive recovery', async () => ((await a2.status())?.replication_state === 'in archive recovery' ? true : undefined), 60_000);
    await a.waitUntil('a1 a replica again', async () => ((await a1.status())?.role === 'replica' ? true : undefined), 60_000);
    assert.equal((await a1.api('/standby_leader')).status, 503);
    const f = patronictl(a, ['failover', 'site-a', '--candidate', a1.name, '--force']);
    assert.equal(f.status, 0, f.stderr);
    await a.waitUntil('a1 holds the leader key', async () => (dcsKey(a, 'leader') === a1.name ? true : undefined), 60_000);
    await a.waitUntil('/standby_leader 200 on a1', async () => ((await a1.api('/standby_leader')).status === 200 ? true : undefined), 60_000);
    await a.waitUntil('a2 a replica again', async () => ((await a2.status())?.role === 'replica' ? true : undefined), 60_000);
  });

  test('promote-cluster carries the data written meanwhile on the other site', async () => {
    const a = siteA!;
    const b = siteB!;
    const b1 = b.nodes[0]!;
    const p = patronictl(b, ['promote-cluster', 'site-b', '--force']);
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stdout, /cluster is successfully promoted/);
    await b.waitUntil('b1 writable', async () => ((await b1.api('/primary')).status === 200 ? true : undefined), 60_000);
    await b1.sql('INSERT INTO dr_t VALUES (2)');
    await b1.sql('SELECT pg_catalog.pg_switch_wal()');
    const a1 = a.node('node1');
    await a.waitUntil('row 2 reaches a1 through the archive', () => hasRow(a1, 2), 90_000);
    const d = patronictl(b, ['demote-cluster', 'site-b', '--restore-command', restore, '--force']);
    assert.equal(d.status, 0, d.stderr);
    const back = patronictl(a, ['promote-cluster', 'site-a', '--force']);
    assert.equal(back.status, 0, back.stderr);
    await a.waitUntil('a1 primary again', async () => ((await a1.api('/primary')).status === 200 ? true : undefined), 60_000);
    assert.ok(await hasRow(a1, 1));
    assert.ok(await hasRow(a1, 2));
    await a1.sql('INSERT INTO dr_t VALUES (3)');
    const a2 = a.node('node2');
    await a.waitUntil('row 3 streamed to a2', () => hasRow(a2, 3), 60_000);
    const config = dcsKey(a, 'config');
    assert.ok(isObject(config) && config.standby_cluster === undefined);
  });
});
