// Installing copied logical slot state files, and hot_standby_feedback where copies live.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import { buildStartPlan } from '../../../src/postgresql/plan.js';
import { installSlotStates, restartLsnOfSlotState, toPrimarySlotState } from '../../../src/postgresql/slot-copy.js';
import { serverParameters } from '../../../src/postgresql/parameters.js';
import { testConfig } from '../../support/postgresql/config.js';
import { makeTempDir } from '../../support/tmp.js';

const tmp = makeTempDir('slot-copy');
after(() => tmp.remove());

test('state files land in pg_replslot/<name>/state (0700 dir, 0600 file), replacing an old copy', async () => {
  const dataDir = join(tmp.path, 'data');
  mkdirSync(join(dataDir, 'pg_replslot', 'ls'), { recursive: true });
  writeFileSync(join(dataDir, 'pg_replslot', 'ls', 'stale'), 'x');
  await installSlotStates(dataDir, [
    { name: 'ls', data: Buffer.from([1, 2, 3]) },
    { name: 'other', data: Buffer.from([9]) },
  ]);
  const dir = join(dataDir, 'pg_replslot', 'ls');
  assert.deepEqual([...readFileSync(join(dir, 'state'))], [1, 2, 3]);
  assert.equal(existsSync(join(dir, 'stale')), false);
  assert.equal(existsSync(`${dir}.tmp`), false);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'state')).mode & 0o777, 0o600);
  assert.deepEqual([...readFileSync(join(dataDir, 'pg_replslot', 'other', 'state'))], [9]);
});

test('primary rows: xid and LSN texts become numbers', () => {
  const s = toPrimarySlotState({
    name: 'ls',
    type: 'logical',
    database: 'postgres',
    plugin: 'test_decoding',
    catalog_xmin: '740',
    confirmed_flush_lsn: '22000000',
    data: Buffer.from('x'),
  });
  assert.equal(s.catalogXmin, 740);
  assert.equal(s.confirmedFlushLsn, 22000000);
  assert.equal(s.restartLsn, null, 'not a state file');
});

// pg_read_binary_file('pg_replslot/x/state') of a test_decoding slot on PostgreSQL 15, whose
// pg_replication_slots.restart_lsn was 0/1511B38.
const PG15_STATE = Buffer.from(
  'a11c0501a3f3131102000000b8000000780000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000050000000000000000000000d4020000381b5101000000000000000000000000701b5101000000000000000000000000' +
    '00746573745f6465636f64696e670000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000',
  'hex',
);

test('restart_lsn is read from the state file itself (the copy decodes from there)', () => {
  assert.equal(restartLsnOfSlotState(PG15_STATE), 0x1511b38);
  assert.equal(restartLsnOfSlotState(PG15_STATE.subarray(0, 100)), null, 'truncated');
  const bad = Buffer.from(PG15_STATE);
  bad.writeUInt32LE(0xdeadbeef, 0);
  assert.equal(restartLsnOfSlotState(bad), null, 'wrong magic');
});

test('hot_standby_feedback is forced on when permanent logical slots are configured', () => {
  const base = {
    scope: 's',
    listenHosts: ['127.0.0.1'],
    port: 5432,
    configDir: '/c',
    majorVersion: 150000,
    local: { hot_standby_feedback: 'off' },
    dynamic: {},
  };
  assert.equal(serverParameters(base).main.hot_standby_feedback, 'off');
  assert.equal(serverParameters({ ...base, enforceHotStandbyFeedback: true }).main.hot_standby_feedback, 'on');
  const cfg = testConfig({ name: 'node-2', dir: '/pg', port: 5433 });
  const dyn = buildDynamicConfig({ slots: { ls: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } } });
  assert.equal(buildStartPlan(cfg, dyn, 150000, 'replica', null).files.parameters.hot_standby_feedback, 'on');
  assert.equal(buildStartPlan(cfg, buildDynamicConfig({}), 150000, 'replica', null).files.parameters.hot_standby_feedback, undefined);
});
