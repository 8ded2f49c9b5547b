// Issue 13 items 2, 3 and 7: child environments, the daemon's error policy, file modes and atomic writes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { childEnv, filterChildEnv, takeDaemonEnv } from '../../../src/util/child-env.js';
import { pgFileMode, writeFileAtomic, writePrivateFile } from '../../../src/util/files.js';
import { writeConfigFiles } from '../../../src/postgresql/config-files.js';
import { runTool } from '../../../src/postgresql/tools.js';
import { makeTempDir } from '../../support/tmp.js';

const ROOT = resolve(import.meta.dirname, '../../..');

test("filterChildEnv drops PATRONI_* and KUBERNETES_* (Patroni's PostmasterProcess.start) and adds extras", () => {
  const env = { PATH: '/bin', PATRONI_RESTAPI_PASSWORD: 's3cret', PATRONI_CONFIGURATION: 'x', KUBERNETES_SERVICE_HOST: 'k', PGDATA: '/d' };
  assert.deepEqual(filterChildEnv(env, { PGPASSFILE: '/p' }), { PATH: '/bin', PGDATA: '/d', PGPASSFILE: '/p' });
  assert.equal(env.PATRONI_RESTAPI_PASSWORD, 's3cret', 'input untouched');
});

test('takeDaemonEnv snapshots then removes PATRONI_* from the live environment', () => {
  const live: NodeJS.ProcessEnv = { PATH: '/bin', PATRONI_ETCD3_PASSWORD: 'pw', PATRONI_NAME: 'n1' };
  const snap = takeDaemonEnv(live);
  assert.deepEqual(live, { PATH: '/bin' });
  assert.equal(snap.PATRONI_ETCD3_PASSWORD, 'pw');
  assert.ok(Object.isFrozen(snap));
});

test('tools run with the filtered environment even when the daemon still holds PATRONI_*', async () => {
  process.env.PATRONI_TEST_SECRET = 'leak';
  try {
    assert.equal(childEnv().PATRONI_TEST_SECRET, undefined);
    const r = await runTool('/usr/bin/env', []);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /PATRONI_TEST_SECRET/);
  } finally {
    delete process.env.PATRONI_TEST_SECRET;
  }
});

test("the daemon's error policy logs an unhandled rejection or exception and the process stays", () => {
  const script = `
    import { installErrorPolicy } from './src/daemon/error-policy.ts';
    const stats = installErrorPolicy();
    Promise.reject(new Error('rejected-on-purpose'));
    setTimeout(() => { throw new Error('thrown-on-purpose'); }, 5);
    setTimeout(() => { process.stdout.write('alive ' + stats.unhandledRejections + ' ' + stats.uncaughtExceptions); }, 100);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'alive 1 1');
  assert.match(r.stderr, /Unhandled promise rejection.*\n?.*rejected-on-purpose/);
  assert.match(r.stderr, /Uncaught exception.*thrown-on-purpose/);
});

test('pgpass: an existing world-readable file is narrowed to 0600 before its content is replaced', () => {
  const dir = makeTempDir('pgpass');
  try {
    const p = join(dir.path, 'pgpass');
    writeFileSync(p, 'old', { mode: 0o644 });
    chmodSync(p, 0o644);
    writePrivateFile(p, '*:*:*:u:secret\n');
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.equal(readFileSync(p, 'utf8'), '*:*:*:u:secret\n');
  } finally {
    dir.remove();
  }
});

test('set_file_permissions: 0640 with a group-readable (0750) data directory, else 0600', () => {
  const dir = makeTempDir('perm');
  try {
    const group = join(dir.path, 'g');
    const priv = join(dir.path, 'p');
    mkdirSync(group, { mode: 0o750 });
    chmodSync(group, 0o750);
    mkdirSync(priv, { mode: 0o700 });
    assert.equal(pgFileMode(group), 0o640);
    assert.equal(pgFileMode(priv), 0o600);
    writeConfigFiles({
      configDir: group,
      dataDir: group,
      baseName: 'postgresql',
      customConf: null,
      majorVersion: 150000,
      parameters: { port: '5432' },
      recovery: null,
      pgHba: ['local all all trust'],
      pgIdent: null,
      recoveryNames: new Set(),
    });
    assert.equal(statSync(join(group, 'postgresql.conf')).mode & 0o777, 0o640);
    assert.equal(statSync(join(group, 'pg_hba.conf')).mode & 0o777, 0o640);
  } finally {
    dir.remove();
  }
});

test('a failed write (read-only directory) leaves the old postgresql.conf whole and no temp file', {
  skip: process.getuid?.() === 0 ? 'root ignores directory modes' : false,
}, () => {
  const dir = makeTempDir('ro');
  try {
    const conf = join(dir.path, 'postgresql.conf');
    writeFileSync(conf, 'port = 5432\n');
    chmodSync(dir.path, 0o500);
    assert.throws(() => writeFileAtomic(conf, 'port = 6000\n', 0o600), /EACCES/);
    chmodSync(dir.path, 0o700);
    assert.equal(readFileSync(conf, 'utf8'), 'port = 5432\n');
    assert.deepEqual(readdirSync(dir.path), ['postgresql.conf']);
  } finally {
    chmodSync(dir.path, 0o700);
    dir.remove();
  }
});

test('slot names from a peer are validated before any path under pg_replslot/ is built', async () => {
  const { installSlotStates } = await import('../../../src/postgresql/slot-copy.js');
  const { isValidSlotName } = await import('../../../src/postgresql/slots.js');
  for (const bad of ['../../escape', 'a/b', '', 'UPPER', 'x'.repeat(64), '..', 'a b']) assert.equal(isValidSlotName(bad), false, bad);
  assert.equal(isValidSlotName('member_1'), true);
  const dir = makeTempDir('replslot');
  try {
    const data = join(dir.path, 'data');
    mkdirSync(join(data, 'pg_replslot'), { recursive: true });
    await installSlotStates(data, [
      { name: '../../escaped', data: Buffer.from('x') },
      { name: 'good_slot', data: Buffer.from('y') },
    ]);
    assert.deepEqual(readdirSync(join(data, 'pg_replslot')), ['good_slot']);
    assert.deepEqual(readdirSync(dir.path).sort(), ['data']);
    assert.deepEqual(readdirSync(data), ['pg_replslot']);
  } finally {
    dir.remove();
  }
});

test('clearing a data directory removes a symlinked pg_wal and tablespaces at their real place', async () => {
  const { clearDirectory } = await import('../../../src/postgresql/datadir.js');
  const { symlinkSync, existsSync } = await import('node:fs');
  const dir = makeTempDir('datadir-links');
  try {
    const data = join(dir.path, 'data');
    const wal = join(dir.path, 'wal');
    const space = join(dir.path, 'space1');
    for (const d of [data, wal, space, join(data, 'pg_tblspc'), join(data, 'base')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(wal, '000000010000000000000001'), 'x');
    writeFileSync(join(space, 'PG_15_202209061'), 'x');
    symlinkSync(wal, join(data, 'pg_wal'));
    symlinkSync(space, join(data, 'pg_tblspc', '16384'));
    clearDirectory(data);
    assert.deepEqual(readdirSync(data), []);
    assert.equal(existsSync(wal), false, 'old WAL removed at its real place');
    assert.equal(existsSync(space), false, 'tablespace directory removed, so pg_basebackup finds it free');
  } finally {
    dir.remove();
  }
});

test('reinitialize does not remove the data directory when PostgreSQL could not be stopped', async () => {
  const { runTask } = await import('../../../src/ha/shell/tasks.js');
  type Pg = Parameters<typeof runTask>[1];
  type Dcs = Parameters<typeof runTask>[2];
  let removed = false;
  const fake = {
    stop: async () => false,
    removeDataDirectory: async () => {
      removed = true;
    },
    setState: () => undefined,
  };
  const ok = await runTask(
    { kind: 'reinitialize', name: 'reinitialize', from: { host: 'h', port: 1, name: 'leader' } } as Parameters<typeof runTask>[0],
    fake as unknown as Pg,
    {} as Dcs,
  );
  assert.equal(ok, false);
  assert.equal(removed, false);
});
