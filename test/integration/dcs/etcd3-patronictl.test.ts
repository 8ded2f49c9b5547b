// Key-format interoperability: a cluster written by our client is read by real (Debian) patronictl.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { makeTempDir } from '../../support/tmp.js';
import { Etcd3 } from '../../../src/dcs/etcd3.js';

const run = promisify(execFile);
const servers: EtcdServer[] = [];
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
  for (const s of servers) await s.stop();
});

test('Debian patronictl (etcd3 section) lists members and roles written by Etcd3', async () => {
  const etcd = await startEtcd();
  servers.push(etcd);
  const mk = (name: string) => {
    const c = new Etcd3({
      scope: 'interop',
      namespace: '/service',
      name,
      hosts: [etcd.hostPort],
      protocol: 'http',
      ttl: 30,
      loopWait: 10,
      retryTimeout: 10,
      mode: 'daemon',
    });
    closers.push(() => c.close());
    return c;
  };
  const pg1 = mk('pg1');
  const pg2 = mk('pg2');
  assert.equal(await pg1.initialize(true, '7000000000000000001'), true);
  assert.equal(await pg1.setConfigValue('{"ttl":30,"loop_wait":10,"retry_timeout":10}'), true);
  assert.equal(await pg1.attemptToAcquireLeader(), true);
  assert.equal(
    await pg1.touchMember({
      conn_url: 'postgres://127.0.0.1:5432/postgres',
      api_url: 'http://127.0.0.1:8008/patroni',
      state: 'running',
      role: 'primary',
      version: '4.1.4',
      xlog_location: 100,
      timeline: 1,
    }),
    true,
  );
  assert.equal(
    await pg2.touchMember({
      conn_url: 'postgres://127.0.0.1:5433/postgres',
      api_url: 'http://127.0.0.1:8009/patroni',
      state: 'running',
      role: 'replica',
      version: '4.1.4',
      xlog_location: 100,
      replay_lsn: 100,
      receive_lsn: 100,
      timeline: 1,
    }),
    true,
  );

  const home = makeTempDir('ctl-home');
  closers.push(async () => home.remove());
  // Debian's 3.0.2 patronictl has no `etcd3://` scheme for -d, so the endpoint goes in a config file.
  const cfg = `${home.path}/patronictl.yml`;
  writeFileSync(cfg, `namespace: /service/\netcd3:\n  hosts: ${etcd.hostPort}\n`);
  const { stdout } = await run('patronictl', ['-c', cfg, 'list', 'interop'], {
    env: { ...process.env, HOME: home.path },
    timeout: 60_000,
  });
  const rows = stdout.split('\n').filter((l) => l.startsWith('|') && !l.includes('Member'));
  const row = (name: string) => rows.find((l) => l.split('|')[1]?.trim() === name) ?? '';
  assert.match(row('pg1'), /\|\s*Leader\s*\|\s*running\s*\|/, stdout);
  assert.match(row('pg2'), /\|\s*Replica\s*\|\s*running\s*\|/, stdout);
  assert.match(stdout, /Cluster: interop/, stdout);
});
