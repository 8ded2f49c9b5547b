// Controller behaviour that needs no running server: guards and state strings.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
});
