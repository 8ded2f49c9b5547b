// Pause, dynamic configuration, restart and reinitialize (issue 3).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { patronictl } from '../../support/patronictl.js';
import { sleep, waitFor } from '../../support/tmp.js';
import { skipAsRoot } from '../../support/skip.js';

const skip = skipAsRoot;

const setting = async (n: ClusterNode, name: string) => (await n.sql<{ v: string }>(`SELECT setting AS v FROM pg_settings WHERE name = $1`, [name]))[0]?.v;
const startTime = async (n: ClusterNode) => (await n.sql<{ t: string }>('SELECT pg_postmaster_start_time()::text AS t'))[0]?.t;

describe('maintenance operations', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'maint', staggered: true });
    await cluster.waitForReplicasStreaming(2);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('a reload-only parameter from edit-config applies on every node without a restart', async () => {
    const c = cluster!;
    const before = await Promise.all(c.nodes.map(startTime));
    const r = patronictl(c, ['edit-config', 'maint', '-p', 'work_mem=8MB', '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\+ {4}work_mem: 8MB/);
    for (const n of c.nodes) await waitFor(`work_mem on ${n.name}`, async () => (await setting(n, 'work_mem')) === '8192', 30_000);
    assert.deepEqual(await Promise.all(c.nodes.map(startTime)), before);
  });

  test('a restart-only parameter sets pending_restart everywhere; restart --pending clears it', async () => {
    const c = cluster!;
    assert.equal(patronictl(c, ['edit-config', 'maint', '-p', 'max_prepared_transactions=5', '--force']).status, 0);
    for (const n of c.nodes) {
      await waitFor(`pending_restart on ${n.name}`, async () => (await n.status())?.pending_restart === true, 30_000);
    }
    assert.match(patronictl(c, ['list']).stdout, /Pending restart/);
    const r = patronictl(c, ['restart', 'maint', '--pending', '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((r.stdout.match(/Success: restart on member/g) ?? []).length, 3, r.stdout);
    for (const n of c.nodes) {
      await waitFor(`restart done on ${n.name}`, async () => (await setting(n, 'max_prepared_transactions').catch(() => undefined)) === '5', 60_000);
      await waitFor(`pending_restart cleared on ${n.name}`, async () => (await n.status())?.pending_restart === undefined, 30_000);
    }
  });

  test('reinit of a replica rebuilds it; reinit of the leader is refused', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const replica = c.nodes.find((n) => n !== leader)!;
    const refused = await leader.api('/reinitialize', { method: 'POST', body: '{}' });
    assert.equal(refused.status, 503);
    assert.equal(refused.text, 'I am the leader, can not reinitialize');
    const r = patronictl(c, ['reinit', 'maint', replica.name, '--force', '--wait']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Success: reinitialize for member ${replica.name}`));
    await c.waitForReplicasStreaming(2);
    await replica.waitForLog(/Removing data directory/, 300);
  });

  test('PostgreSQL-only crash on the leader: restarted in place as primary, no failover', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    await c.waitForReplicasStreaming(2);
    const pid = leader.postmasterPid();
    assert.ok(leader.killPostmaster('SIGKILL'));
    await c.waitUntil(
      'the leader writable again',
      async () => {
        const ok = await leader.sql('SELECT pg_is_in_recovery() AS r').then(
          (rows) => rows[0]?.r === false,
          () => false,
        );
        return ok && leader.postmasterPid() !== pid ? true : undefined;
      },
      60_000,
    );
    assert.equal(await c.leader(), leader, 'the same node leads');
    await leader.waitForLog(/starting primary after failure/, 100);
    await c.waitForReplicasStreaming(2);
  });

  test('pause: a dead primary is not failed over; resume brings normal behaviour back', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const p = patronictl(c, ['pause', 'maint', '--wait']);
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stdout, /Success: cluster management is paused/);
    assert.match(patronictl(c, ['list']).stdout, /Maintenance mode: on/);
    leader.killPostmaster('SIGKILL');
    await sleep(30_000); // longer than ttl
    const statuses = await c.statuses();
    assert.ok(!statuses.some(({ status }) => status?.role === 'primary' && status.state === 'running'), 'no promotion while paused');
    assert.match(leader.logTail(50), /PAUSE: /);
    const r = patronictl(c, ['resume', 'maint', '--wait']);
    assert.equal(r.status, 0, r.stderr);
    await c.waitForLeader(90_000);
    await c.waitForReplicasStreaming(2, 120_000);
  });
});
