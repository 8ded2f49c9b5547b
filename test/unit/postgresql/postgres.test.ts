// Controller behaviour that needs no running server: guards and state strings.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Postgresql } from '../../../src/postgresql/postgres.js';
import { makeTempDir } from '../../support/tmp.js';
import { testConfig, testDynamic } from '../../support/postgresql/config.js';
import { isRoot } from '../../support/skip.js';

describe('Postgresql controller without a server', () => {
  const dir = makeTempDir('pgctl-unit');
  after(() => dir.remove());
  const make = (bootstrapInitdb: ReturnType<typeof testConfig>['bootstrap']['initdb'] = []) => {
    const cfg = testConfig({ name: 'n1', dir: dir.path, port: 1 });
    cfg.bootstrap.initdb = bootstrapInitdb;
    return new Postgresql(cfg, () => testDynamic());
  };

  test('missing data dir is empty, nothing running, state stopped', async () => {
    const snap = await make().snapshot();
    assert.deepEqual(snap, { dataDir: { kind: 'empty' }, postmasterRunning: false, state: 'stopped', server: null });
  });

  test('forbidden initdb option: throws and state becomes initdb failed', async () => {
    const pg = make(['nosync']);
    await assert.rejects(pg.initdb(), /nosync option for initdb is not allowed/);
    assert.equal((await pg.snapshot()).state, 'initdb failed');
  });

  test('replica creation refuses a non-empty data dir and leaves it alone', async () => {
    const data = join(dir.path, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'precious'), 'x');
    const pg = make();
    assert.equal(await pg.createReplica({ name: 'n0', host: '127.0.0.1', port: 1 }, ['basebackup']), false);
    assert.ok(existsSync(join(data, 'precious')));
    const snap = await pg.snapshot();
    assert.equal(snap.dataDir.kind, 'present');
    assert.ok(snap.dataDir.kind === 'present' && snap.dataDir.sysid === null, 'not a cluster: no sysid');
  });

  test('unreadable data dir is reported as inaccessible', { skip: isRoot ? 'root can read anything' : false }, async () => {
    const data = join(dir.path, 'data');
    chmodSync(data, 0o000);
    try {
      const snap = await make().snapshot();
      assert.equal(snap.dataDir.kind, 'inaccessible');
    } finally {
      chmodSync(data, 0o700);
    }
  });

  test('a start that finishes while pg_controldata runs is not mistaken for a crash', async () => {
    const data = join(dir.path, 'data');
    mkdirSync(data, { recursive: true });
    const bin = join(dir.path, 'slow-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'pg_controldata'), '#!/bin/sh\nsleep 0.5\nexit 1\n', { mode: 0o755 });
    const cfg = testConfig({ name: 'n1', dir: dir.path, port: 1 });
    cfg.postgresql.bin_dir = bin;
    const pg = new Postgresql(cfg, () => testDynamic());
    // A stand-in postmaster (its argv[0] reads `postgres`), started once the snapshot probed.
    const fake = spawn('bash', ['-c', 'exec -a postgres sleep 30'], { stdio: 'ignore' });
    try {
      const pending = pg.snapshot();
      await new Promise((r) => setTimeout(r, 150));
      writeFileSync(join(data, 'postmaster.pid'), `${fake.pid}\n${data}\n0\n1\n\n`);
      pg.setState('running');
      const snap = await pending;
      assert.equal(snap.state, 'running');
    } finally {
      fake.kill('SIGKILL');
      rmSync(join(data, 'postmaster.pid'), { force: true });
    }
  });
});

describe('snapshot without synchronous file system calls', () => {
  const dir = makeTempDir('pgctl-nosync');
  after(() => dir.remove());

  test('data dir probe and postmaster check use no *Sync call (every cycle and API refresh)', async () => {
    const fs = (await import('node:fs')).default;
    const { syncBuiltinESMExports } = await import('node:module');
    const data = join(dir.path, 'data');
    mkdirSync(join(data, 'global'), { recursive: true });
    writeFileSync(join(data, 'PG_VERSION'), '15\n');
    // A live pid that is not PostgreSQL: the check must read /proc to tell.
    writeFileSync(join(data, 'postmaster.pid'), `${process.pid}\n${data}\n1700000000\n1\n/tmp\n127.0.0.1\n1 2\nready   \n`);
    const pg = new Postgresql(testConfig({ name: 'n1', dir: dir.path, port: 1 }), () => testDynamic());
    const calls: string[] = [];
    const names = ['readFileSync', 'existsSync', 'readdirSync', 'statSync', 'readlinkSync', 'accessSync'] as const;
    const saved = names.map((n) => fs[n]);
    const mutable = fs as unknown as Record<string, unknown>;
    names.forEach((n, i) => {
      const original = saved[i] as (...a: unknown[]) => unknown;
      mutable[n] = (...a: unknown[]) => {
        calls.push(`${n} ${String(a[0])}`);
        return original(...a);
      };
    });
    syncBuiltinESMExports();
    try {
      const snap = await pg.snapshot();
      assert.equal(snap.postmasterRunning, false, 'our own pid is not a postmaster');
      assert.equal(snap.dataDir.kind, 'present');
    } finally {
      names.forEach((n, i) => {
        mutable[n] = saved[i];
      });
      syncBuiltinESMExports();
    }
    assert.deepEqual(calls, []);
  });
});
