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
    assert.throws(() => userOptions('initdb', ['nosync'], INITDB_FORBIDDEN, (m) => { throw new Error(m); }), /nosync option for initdb is not allowed/);
    userOptions('basebackup', [{ a: 'b', c: 'd' }, 5, { dbname: 'x' }], BASEBACKUP_FORBIDDEN, onError);
    assert.equal(errors.length, 3);
  });
  test('rewind command uses target_session_attrs=read-write and drops forbidden options', () => {
    const { args, pgpass } = rewindCommand({
      dataDir: '/d', host: 'h', port: 5432, auth: { username: 'rw', password: 'x' }, applicationName: 'n', database: 'postgres',
      majorVersion: 150000, pgpass: '/p', options: ['checkpoint', 'dry-run'],
    });
    assert.deepEqual(args, ['-D', '/d', '--source-server',
      'dbname=postgres user=rw passfile=/p host=h port=5432 sslmode=prefer application_name=n gssencmode=prefer channel_binding=prefer target_session_attrs=read-write',
      '--checkpoint']);
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
    assert.deepEqual(parsePidFile('4242\n/var/lib/pg\n1700000000\n5432\n/tmp\n127.0.0.1\n  1234  5678\nready   \n'),
      { pid: 4242, dataDir: '/var/lib/pg', port: 5432, socketDir: '/tmp' });
    assert.equal(parsePidFile(''), null);
  });
  test('postmaster options quoted for the shell pg_ctl uses', () => {
    assert.equal(shellQuote('--port=5432'), '--port=5432');
    assert.equal(shellQuote("--cluster_name=it's a b"), `'--cluster_name=it'\\''s a b'`);
  });
});
