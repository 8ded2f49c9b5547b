// A bad configuration gets a clear report naming the problem, a non-zero exit, and leaves nothing
// behind: no process, no key in the DCS (issue 2). Runs the bundled daemon as a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TS_DAEMON } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { makeTempDir } from '../../support/tmp.js';

function goodConfig(etcd: string, dir: string): string {
  return `scope: badcfg
name: n1
restapi:
  listen: 127.0.0.1:18765
  connect_address: 127.0.0.1:18765
etcd3:
  host: ${etcd}
postgresql:
  listen: 127.0.0.1:15765
  connect_address: 127.0.0.1:15765
  data_dir: ${dir}/data
  bin_dir: /usr/lib/postgresql/15/bin
  authentication:
    superuser: {username: postgres, password: pw}
    replication: {username: replicator, password: rpw}
`;
}

describe('invalid configuration', () => {
  let etcd: EtcdServer | undefined;
  const tmp = makeTempDir('badcfg');
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
    tmp.remove();
  });

  const run = (args: string[]) => spawnSync(process.execPath, [TS_DAEMON, ...args], { encoding: 'utf8', timeout: 30_000 });

  const cases: { name: string; edit: (good: string) => string; expect: RegExp }[] = [
    { name: 'missing scope', edit: (g) => g.replace(/^scope: badcfg\n/m, ''), expect: /^scope {1,2}is not defined\.$/m },
    {
      name: 'non-numeric port',
      edit: (g) => g.replace('listen: 127.0.0.1:18765', 'listen: 127.0.0.1:abc'),
      expect: /^restapi\.listen 127\.0\.0\.1:abc didn't pass validation/m,
    },
    { name: 'two DCS sections', edit: (g) => `${g}etcd:\n  host: 127.0.0.1:2379\n`, expect: /Multiple of \('etcd', 'etcd3'\) provided/ },
    { name: 'invalid YAML', edit: (g) => `${g}postgresql: [unclosed\n`, expect: /YAML|yaml/ },
  ];

  for (const c of cases) {
    test(`${c.name}: refused with the problem named, exit non-zero, nothing written to the DCS`, async () => {
      const file = join(tmp.path, `${c.name.replace(/\W+/g, '-')}.yml`);
      writeFileSync(file, c.edit(goodConfig(etcd!.hostPort, tmp.path)));
      const daemon = run([file]);
      assert.notEqual(daemon.status, 0);
      assert.equal(daemon.signal, null, 'the daemon exits by itself instead of running');
      assert.match(daemon.stderr, c.expect);
      const validate = run(['--validate-config', file]);
      assert.notEqual(validate.status, 0);
      assert.match(validate.stderr, c.expect);
      const keys = await fetch(`${etcd!.endpoint}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: Buffer.from('/').toString('base64'), range_end: Buffer.from('0').toString('base64'), count_only: true }),
      }).then((r) => r.json() as Promise<{ count?: string }>);
      assert.equal(keys.count ?? '0', '0', 'no key written to etcd');
    });
  }

  test('unreadable file: names the path and the reason', () => {
    const file = join(tmp.path, 'does-not-exist', 'patroni.yml');
    const r = run([file]);
    assert.notEqual(r.status, 0);
    assert.ok(r.stderr.includes(file), r.stderr);
  });

  test('the valid config passes --validate-config -i', () => {
    const file = join(tmp.path, 'good.yml');
    writeFileSync(file, goodConfig(etcd!.hostPort, tmp.path));
    const r = run(['--validate-config', '-i', file]);
    assert.equal(r.status, 0, r.stderr);
  });

  test('--version prints the Patroni version we implement', () => {
    const r = run(['--version']);
    assert.equal(r.stdout.trim(), 'patroni 4.1.4');
  });
});
