// Switchover (issue 3): to a named candidate, to any, scheduled, and cancelled by flush. The old
// primary keeps its data directory and streams from the new leader without a clone; no row is lost.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { patronictl } from '../../support/patronictl.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

const sysid = (n: ClusterNode) =>
  readFileSync(join(n.dataDir, 'global', 'pg_control'))
    .subarray(0, 8)
    .toString('hex');

describe('switchover', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'swo', staggered: true });
    await cluster.waitForReplicasStreaming(2);
    const leader = await cluster.waitForLeader();
    await leader.sql('CREATE TABLE t (id int primary key)');
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  async function streamsFrom(old: ClusterNode, leader: ClusterNode): Promise<void> {
    await cluster!.waitUntil(
      `${old.name} streaming from ${leader.name}`,
      async () => {
        const [s, l] = [await old.status(), await leader.status()];
        return s?.role === 'replica' && s.replication_state === 'streaming' && s.timeline === l?.timeline ? true : undefined;
      },
      60_000,
    );
  }

  test('to a named candidate: it leads, the old primary streams from it without a clone, nothing lost', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    const candidate = c.nodes.find((n) => n !== old)!;
    const idBefore = sysid(old);
    await old.sql('INSERT INTO t SELECT generate_series(1, 1000)');
    const r = patronictl(c, ['switchover', 'swo', '--leader', old.name, '--candidate', candidate.name, '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Successfully switched over to "${candidate.name}"`));
    assert.equal(await c.waitForLeader(), candidate);
    await streamsFrom(old, candidate);
    assert.equal(sysid(old), idBefore);
    assert.doesNotMatch(old.logTail(500), /bootstrap from leader|Removing data directory/);
    const [{ n }] = (await candidate.sql<{ n: string }>('SELECT count(*) AS n FROM t')) as [{ n: string }];
    assert.equal(Number(n), 1000);
  });

  test('to any: some other member leads and the old primary follows', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    await c.waitForReplicasStreaming(2);
    const r = patronictl(c, ['switchover', 'swo', '--leader', old.name, '--force']);
    assert.equal(r.status, 0, r.stderr);
    const next = await c.waitForNewLeader(old, 60_000);
    await streamsFrom(old, next);
  });

  test('scheduled: shown in list, fires at its time', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    await c.waitForReplicasStreaming(2);
    const candidate = c.nodes.find((n) => n !== old)!;
    const at = new Date(Date.now() + 8_000).toISOString();
    const r = patronictl(c, ['switchover', 'swo', '--leader', old.name, '--candidate', candidate.name, '--scheduled', at, '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Switchover scheduled/);
    assert.match(patronictl(c, ['list']).stdout, /Switchover scheduled at:/);
    assert.equal(await c.leader(), old, 'nothing happens before the scheduled time');
    await c.waitUntil('the scheduled switchover', async () => ((await c.leader()) === candidate ? true : undefined), 60_000);
    await streamsFrom(old, candidate);
  });

  test('flush cancels a scheduled switchover', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const candidate = c.nodes.find((n) => n !== leader)!;
    const at = new Date(Date.now() + 3_600_000).toISOString();
    assert.equal(patronictl(c, ['switchover', 'swo', '--leader', leader.name, '--candidate', candidate.name, '--scheduled', at, '--force']).status, 0);
    assert.match(patronictl(c, ['list']).stdout, /Switchover scheduled at:/);
    const f = patronictl(c, ['flush', 'swo', 'switchover', '--force']);
    assert.equal(f.status, 0, f.stderr);
    assert.match(f.stdout, /Success: scheduled switchover deleted/);
    assert.doesNotMatch(patronictl(c, ['list']).stdout, /Switchover scheduled at:/);
  });
});
