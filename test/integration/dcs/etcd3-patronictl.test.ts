// Key-format interoperability: a cluster written by our client is read by real (Debian) patronictl.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { makeTempDir } from '../../support/tmp.js';
import { seedPrimaryAndReplica } from '../../support/etcd3-seed.js';

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
  const seeded = await seedPrimaryAndReplica({
    hostPort: etcd.hostPort,
    scope: 'interop',
    primaryApi: 'http://127.0.0.1:8008/patroni',
    replicaApi: 'http://127.0.0.1:8009/patroni',
    config: '{"ttl":30,"loop_wait":10,"retry_timeout":10}',
  });
  closers.push(() => seeded.close());

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
