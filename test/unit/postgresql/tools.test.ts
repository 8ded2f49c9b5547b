import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BASEBACKUP_FORBIDDEN, INITDB_FORBIDDEN, userOptions } from '../../../src/postgresql/options.js';
import { parsePidFile, shellQuote } from '../../../src/postgresql/process.js';
import { majorVersionToNum, parseVersionOutput, toolPath } from '../../../src/postgresql/tools.js';
import { rewindCommand } from '../../../src/postgresql/rewind.js';

describe('tool options', () => {
  test('initdb list/map options become flags; forbidden ones rejected', () => {
    const errors: string[] = [];
    const onError = (m: string) => errors.push(m);
    assert.deepEqual(userOptions('initdb', ['data-checksums', { encoding: 'UTF8' }], INITDB_FORBIDDEN, onError), ['--data-checksums', '--encoding=UTF8']);
    assert.deepEqual(userOptions('initdb', { locale: 'C', 'auth-host': 'md5' }, INITDB_FORBIDDEN, onError), ['--locale=C', '--auth-host=md5']);
    assert.deepEqual(errors, []);
    assert.throws(
      () =>
        userOptions('initdb', ['nosync'], INITDB_FORBIDDEN, (m) => {
          throw new Error(m);
        }),
      /nosync option for initdb is not allowed/,
    );
    userOptions('basebackup', [{ a: 'b', c: 'd' }, 5, { dbname: 'x' }], BASEBACKUP_FORBIDDEN, onError);
    assert.equal(errors.length, 3);
  });
  test('rewind command uses target_session_attrs=read-write and drops forbidden options', () => {
    const { args, pgpass } = rewindCommand({
      dataDir: '/d',
      host: 'h',
      port: 5432,
      auth: { username: 'rw', password: 'x' },
      applicationName: 'n',
      database: 'postgres',
      majorVersion: 150000,
      pgpass: '/p',
      options: ['checkpoint', 'dry-run'],
    });
    assert.deepEqual(args, [
      '-D',
      '/d',
      '--source-server',
      'dbname=postgres user=rw passfile=/p host=h port=5432 sslmode=prefer application_name=n gssencmode=prefer channel_binding=prefer target_session_attrs=read-write',
      '--checkpoint',
    ]);
    assert.equal(pgpass?.user, 'rw');
  });
});

describe('binaries and processes', () => {
  test('bin_dir + bin_name overrides', () => {
    assert.equal(toolPath({ bin_dir: '/usr/lib/postgresql/15/bin', bin_name: {} }, 'pg_ctl'), '/usr/lib/postgresql/15/bin/pg_ctl');
    assert.equal(toolPath({ bin_dir: '', bin_name: { pg_ctl: 'pg_ctl15' } }, 'pg_ctl'), 'pg_ctl15');
  });
  test('versions', () => {
    assert.equal(parseVersionOutput('postgres (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)\n'), 150000);
    assert.equal(parseVersionOutput('postgres (PostgreSQL) 9.6.24'), 90600);
    assert.equal(majorVersionToNum('9.6\n'), 90600);
    assert.equal(majorVersionToNum('17'), 170000);
  });
  test('postmaster.pid', () => {
    assert.deepEqual(parsePidFile('4242\n/var/lib/pg\n1700000000\n5432\n/tmp\n127.0.0.1\n  1234  5678\nready   \n'), {
      pid: 4242,
      dataDir: '/var/lib/pg',
      port: 5432,
      socketDir: '/tmp',
      status: 'ready',
    });
    assert.equal(parsePidFile('4242\n/var/lib/pg\n1700000000\n5432\n')?.status, null, 'status not written yet');
    assert.equal(parsePidFile(''), null);
  });
  test('postmaster options quoted for the shell pg_ctl uses', () => {
    assert.equal(shellQuote('--port=5432'), '--port=5432');
    assert.equal(shellQuote("--cluster_name=it's a b"), `'--cluster_name=it'\\''s a b'`);
  });
});

test('a zombie process does not count as a running postmaster', async () => {
  const { spawn } = await import('node:child_process');
  const { isPostgresProcess, isZombie } = await import('../../../src/postgresql/process.js');
  // A child that exits while we do not wait for it stays a zombie until reaped by our event loop;
  // read its state synchronously right after it exited.
  const child = spawn('sh', ['-c', 'exit 0'], { stdio: 'ignore' });
  const pid = child.pid!;
  const deadline = Date.now() + 5000;
  let zombie = false;
  while (Date.now() < deadline && !zombie) zombie = isZombie(pid);
  assert.ok(zombie, 'the exited child was observed as a zombie');
  assert.equal(isPostgresProcess(pid), false);
  await new Promise((r) => child.once('exit', r));
});

test('commInStat reads the name out of /proc/<pid>/stat, spaces and parentheses included', async () => {
  const { commInStat } = await import('../../../src/postgresql/process.js');
  assert.equal(commInStat('4242 (postgres) S 1 4242 4242 0 -1 4194560'), 'postgres');
  assert.equal(commInStat('77 (a (b) c) R 1 77'), 'a (b) c');
});

test('isPostgresProcessAsync: from one read of /proc/<pid>/stat (a sleep is not PostgreSQL, a process named postgres is)', async () => {
  const { spawn } = await import('node:child_process');
  const { isPostgresProcessAsync } = await import('../../../src/postgresql/process.js');
  const sh = spawn('sleep', ['30'], { stdio: 'ignore' });
  // exec -a sets argv[0]; the comm of a script named postgres is "postgres".
  const { mkdtempSync, writeFileSync, chmodSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'comm-'));
  const fake = join(dir, 'postgres');
  writeFileSync(fake, '#!/bin/sh\nsleep 30\n');
  chmodSync(fake, 0o755);
  const pg = spawn(fake, [], { stdio: 'ignore', detached: true });
  try {
    assert.equal(await isPostgresProcessAsync(sh.pid!), false);
    // The kernel sets comm at exec: poll until the child has exec'd its script.
    let named = false;
    for (const until = Date.now() + 5000; !named && Date.now() < until; ) {
      named = await isPostgresProcessAsync(pg.pid!);
      if (!named) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(named, 'a process named postgres counts');
  } finally {
    sh.kill('SIGKILL');
    process.kill(-pg.pid!, 'SIGKILL'); // its own process group: the script and its sleep
  }
});

test('the lock files of a dead postmaster are removed, a live one is left alone', async () => {
  const { mkdtempSync, writeFileSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawnSync } = await import('node:child_process');
  const { removeStaleLocks } = await import('../../../src/postgresql/process.js');
  const dir = mkdtempSync(join(tmpdir(), 'stale-locks-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  for (const d of [data, sock]) (await import('node:fs')).mkdirSync(d);
  const deadPid = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(data, 'postmaster.pid'), `${deadPid}\n${data}\n1700000000\n5432\n${sock}\n*\n  1234  5678\nready\n`);
  writeFileSync(join(sock, '.s.PGSQL.5432.lock'), `${deadPid}\n${data}\n`);
  writeFileSync(join(sock, '.s.PGSQL.5433.lock'), `${deadPid}\n${data}\n`);
  assert.equal(removeStaleLocks(data, [sock]), Number(deadPid));
  assert.equal(existsSync(join(data, 'postmaster.pid')), false);
  assert.equal(existsSync(join(sock, '.s.PGSQL.5432.lock')), false);
  assert.equal(existsSync(join(sock, '.s.PGSQL.5433.lock')), true, 'another port is not ours');
  assert.equal(removeStaleLocks(data, [sock]), null, 'nothing left to remove');
});
