// The REST API of our daemon in a real 3-node cluster (real etcd, real PostgreSQL): health checks,
// metrics, config writes, switchover refusals; HAProxy routing on /primary and /replica; Debian's
// patronictl 3.0.2 driving reload, restart, edit-config, reinit and switchover.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { startCluster, SUPERUSER, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startHaproxy, type Haproxy } from '../../support/api/haproxy.js';
import { queryOnce } from '../../support/pg-query.js';
import { makeTempDir, waitFor } from '../../support/tmp.js';

const run = promisify(execFile);

/** Through HAProxy: a refused, reset or terminated connection (no backend up yet) rejects, never crashes. */
async function inRecoveryVia(port: number): Promise<boolean> {
  const [row] = await queryOnce<{ r: boolean }>({ port, user: SUPERUSER.username, password: SUPERUSER.password }, 'SELECT pg_is_in_recovery() AS r');
  return row?.r === true;
}

describe('REST API against a 3-node patroni-ts cluster', { timeout: 600_000 }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let haproxy: Haproxy | undefined;
  const home = makeTempDir('api-ctl');
  let leader: ClusterNode;
  let replicas: ClusterNode[];
  let ctlConfig: string;

  const c = (): TestCluster => {
    if (!cluster) throw new Error('no cluster');
    return cluster;
  };
  const patronictl = async (...args: string[]) => {
    try {
      const r = await run('/usr/bin/patronictl', ['-c', ctlConfig, ...args], { env: { ...process.env, HOME: home.path }, timeout: 120_000 });
      return r.stdout + r.stderr;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`patronictl ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  };
  const refreshRoles = async () => {
    leader = await c().waitForLeader();
    replicas = await c().waitForReplicasStreaming(2);
  };

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'apitest', staggered: true });
    await refreshRoles();
    ctlConfig = join(home.path, 'patronictl.yml');
    writeFileSync(ctlConfig, `scope: apitest\nnamespace: /service/\netcd3:\n  hosts: ${etcd.hostPort}\n`);
  });
  after(async () => {
    await haproxy?.stop();
    await cluster?.remove();
    await etcd?.stop();
    home.remove();
  });

  test('health checks answer by role, with aliases and HEAD', async () => {
    const code = async (n: ClusterNode, path: string, method = 'GET') => (await n.api(path, { method })).status;
    for (const path of [
      '/',
      '/primary',
      '/master',
      '/read-write',
      '/leader',
      '/health',
      '/read-only',
      '/liveness',
      '/readiness',
      '/patroni',
      '/asynchronous',
    ]) {
      const want = path === '/asynchronous' ? 503 : 200;
      assert.equal(await code(leader, path), want, `leader ${path}`);
    }
    assert.equal(await code(leader, '/replica'), 503);
    assert.equal(await code(leader, '/primary', 'HEAD'), 200);
    assert.equal(await code(leader, '/replica', 'OPTIONS'), 503);
    for (const r of replicas) {
      assert.equal(await code(r, '/primary'), 503, `${r.name} /primary`);
      assert.equal(await code(r, '/replica'), 200, `${r.name} /replica`);
      assert.equal(await code(r, '/replica?lag=16MB'), 200);
      assert.equal(await code(r, '/async'), 200);
      assert.equal(await code(r, '/read-only'), 200);
      assert.equal(await code(r, '/replica?tag_nothere=x'), 503);
      assert.equal(await code(r, '/standby-leader'), 503);
      assert.equal(await code(r, '/readiness?lag=1GB'), 200);
    }
  });

  test('/cluster, /history, /metrics', async () => {
    const cl = await leader.api('/cluster');
    assert.equal(cl.status, 200);
    assert.match(cl.text, /"scope": "apitest"\}$/);
    assert.equal((cl.text.match(/"name": "node/g) ?? []).length, 3);
    assert.equal((await leader.api('/history')).status, 200);
    const m = await leader.api('/metrics');
    assert.match(m.text, new RegExp(`^patroni_primary\\{scope="apitest",name="${leader.name}"\\} 1$`, 'm'));
    assert.match(m.text, /^patroni_postgres_state\{.*\} 5$/m);
    const rm = await replicas[0]!.api('/metrics');
    assert.match(rm.text, /^patroni_replica\{.*\} 1$/m);
    assert.match(rm.text, /^patroni_postgres_streaming\{.*\} 1$/m);
  });

  test('PATCH /config writes the DCS; GET /config follows', async () => {
    const p = await replicas[0]!.api('/config', { method: 'PATCH', body: JSON.stringify({ maximum_lag_on_failover: 2097152 }) });
    assert.equal(p.status, 200, p.text);
    assert.match(p.text, /"maximum_lag_on_failover": 2097152/);
    await waitFor('config to reach the leader', async () => /"maximum_lag_on_failover": 2097152/.test((await leader.api('/config')).text), 20_000);
    const bad = await leader.api('/config', { method: 'PATCH', body: '[1]' });
    assert.equal(bad.status, 400);
  });

  test('switchover refusals against the real cluster', async () => {
    const wrong = await leader.api('/switchover', { method: 'POST', body: JSON.stringify({ leader: 'nobody' }) });
    assert.deepEqual([wrong.status, wrong.text], [412, 'leader name does not match']);
    const ghost = await leader.api('/switchover', { method: 'POST', body: JSON.stringify({ leader: leader.name, candidate: 'ghost' }) });
    assert.deepEqual([ghost.status, ghost.text], [412, 'candidate does not exists']);
    const fo = await leader.api('/failover', { method: 'POST', body: JSON.stringify({ leader: leader.name }) });
    assert.deepEqual([fo.status, fo.text], [400, 'Failover could be performed only to a specific candidate']);
    const sched = await leader.api('/switchover', { method: 'POST', body: JSON.stringify({ leader: leader.name, scheduled_at: '2099-01-01T00:00:00+00:00' }) });
    assert.deepEqual([sched.status, sched.text], [202, 'Switchover scheduled']);
    assert.match((await leader.api('/cluster')).text, /"scheduled_switchover": \{"at": "2099-01-01T00:00:00\+00:00", "from": "node\d"\}/);
    const del = await leader.api('/switchover', { method: 'DELETE' });
    assert.deepEqual([del.status, del.text], [200, 'scheduled switchover deleted']);
    assert.equal((await leader.api('/switchover', { method: 'DELETE' })).status, 404);
  });

  test('HAProxy: the primary port reaches the leader, the replica port a replica', async () => {
    haproxy = await startHaproxy(c().nodes.map((n) => ({ name: n.name, pgPort: n.pgPort, restPort: n.restPort })));
    const h = haproxy;
    // While HAProxy's checks settle a port may have no backend: that is "not yet", inside the wait.
    const primary = await waitFor(
      'HAProxy to route to the primary',
      async () => ((await inRecoveryVia(h.primaryPort)) === false ? 'primary' : null),
      30_000,
      500,
    );
    assert.equal(primary, 'primary');
    const replica = await waitFor('HAProxy to route to a replica', async () => ((await inRecoveryVia(h.replicaPort)) === true ? 'replica' : null), 30_000, 500);
    assert.equal(replica, 'replica');
  });

  test('patronictl 3.0.2: reload and restart through our API', async () => {
    const reload = await patronictl('reload', 'apitest', replicas[0]!.name, '--force');
    assert.match(reload, new RegExp(`Reload request received for member ${replicas[0]!.name}`));
    const before = (await replicas[0]!.status())?.postmaster_start_time;
    const restart = await patronictl('restart', 'apitest', replicas[0]!.name, '--force');
    assert.match(restart, new RegExp(`Success: restart on member ${replicas[0]!.name}`), restart);
    await waitFor(
      'a new postmaster',
      async () => {
        const s = await replicas[0]!.status();
        return s?.state === 'running' && s.postmaster_start_time !== before;
      },
      60_000,
    );
  });

  test('patronictl 3.0.2: edit-config goes through the DCS and the nodes pick it up', async () => {
    const out = await patronictl('edit-config', 'apitest', '--set', 'maximum_lag_on_failover=4194304', '--force');
    assert.match(out, /maximum_lag_on_failover/);
    await waitFor('config applied', async () => /"maximum_lag_on_failover": 4194304/.test((await replicas[1]!.api('/config')).text), 30_000);
  });

  test('patronictl 3.0.2: reinit of a replica', async () => {
    const target = replicas[1]!;
    const out = await patronictl('reinit', 'apitest', target.name, '--force');
    assert.match(out, new RegExp(`Success: reinitialize for member ${target.name}`), out);
    await refreshRoles();
  });

  test('switchover through the API moves the primary behind HAProxy', async () => {
    await refreshRoles();
    const candidate = replicas[0]!;
    const out = await patronictl('switchover', 'apitest', '--leader', leader.name, '--candidate', candidate.name, '--force');
    assert.match(out, new RegExp(`Successfully switched over to "${candidate.name}"`), out);
    const h = haproxy;
    assert.ok(h);
    await waitFor(
      'HAProxy to follow the new primary',
      async () => {
        const l = await c().leader();
        return l?.name === candidate.name && (await inRecoveryVia(h.primaryPort)) === false;
      },
      60_000,
      500,
    );
  });
});
