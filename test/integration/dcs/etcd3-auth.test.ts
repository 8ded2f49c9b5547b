// etcd with authentication enabled, and endpoint failover across a dead host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { freePort } from '../../support/ports.js';
import { Etcd3, type Etcd3Options } from '../../../src/dcs/etcd3.js';
import { DcsError } from '../../../src/dcs/dcs.js';

const run = promisify(execFile);
const servers: EtcdServer[] = [];
const clients: Etcd3[] = [];
after(async () => {
  for (const c of clients) await c.close();
  for (const s of servers) await s.stop();
});

function client(etcdHosts: string[], extra: Partial<Etcd3Options> = {}): Etcd3 {
  const c = new Etcd3({
    scope: 'auth',
    namespace: 'service',
    name: 'a',
    hosts: etcdHosts,
    protocol: 'http',
    ttl: 30,
    loopWait: 10,
    retryTimeout: 4,
    mode: 'ctl',
    ...extra,
  });
  clients.push(c);
  return c;
}

test('username/password: token auth, re-auth after the token was invalidated, no creds refused', async () => {
  const etcd = await startEtcd();
  servers.push(etcd);
  const ctl = (...args: string[]) => run('etcdctl', ['--endpoints', etcd.endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
  await ctl('user', 'add', 'root:secret');
  await ctl('auth', 'enable');

  const authed = client([etcd.hostPort], { username: 'root', password: 'secret' });
  assert.equal(await authed.setConfigValue('{"ttl":30}'), true);
  assert.deepEqual((await authed.getCluster()).config?.data, { ttl: 30 });

  // Toggling auth drops all simple tokens: ours is now "invalid auth token" and we must log in again.
  await ctl('--user', 'root:secret', 'auth', 'disable');
  await ctl('auth', 'enable');
  assert.equal(await authed.setConfigValue('{"ttl":31}'), true);
  assert.deepEqual((await authed.getCluster()).config?.data, { ttl: 31 });

  const anonymous = client([etcd.hostPort]);
  assert.equal(await anonymous.setConfigValue('{"ttl":99}'), false);
  await assert.rejects(anonymous.getCluster(), DcsError);
});

test('a dead endpoint in the list is skipped', async () => {
  const etcd = await startEtcd();
  servers.push(etcd);
  const dead = `127.0.0.1:${await freePort()}`;
  const c = client([dead, etcd.hostPort], { useProxies: true });
  assert.equal(await c.setFailoverValue('{"member":"b"}'), true);
  assert.equal((await c.getCluster({ fresh: true })).failover?.candidate, 'b');
});
