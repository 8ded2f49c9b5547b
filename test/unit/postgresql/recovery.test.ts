import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecoveryParams } from '../../../src/postgresql/recovery.js';
import { buildStartPlan } from '../../../src/postgresql/plan.js';
import { testConfig, testDynamic } from '../../support/postgresql/config.js';

describe('recovery parameters', () => {
  test('PG12+: standby_mode, latest timeline, empty targets, conninfo and slot; user targets dropped', () => {
    const out = buildRecoveryParams({
      majorVersion: 150000,
      extras: { recovery_target_time: 'x', trigger_file: '/t', primary_slot_name: 'no', recovery_min_apply_delay: '1s' },
      primaryConninfo: { user: 'r', host: 'h' },
      slotName: 'node_2',
    });
    assert.deepEqual(out, {
      promote_trigger_file: '/t',
      recovery_min_apply_delay: '1s',
      standby_mode: 'on',
      recovery_target_timeline: 'latest',
      recovery_target: '',
      recovery_target_name: '',
      recovery_target_time: '',
      recovery_target_xid: '',
      recovery_target_lsn: '',
      primary_conninfo: 'user=r host=h',
      primary_slot_name: 'node_2',
    });
  });
  test('no upstream: no conninfo and no slot', () => {
    const out = buildRecoveryParams({ majorVersion: 110000, extras: {}, primaryConninfo: null, slotName: 'x' });
    assert.deepEqual(out, { standby_mode: 'on', recovery_target_timeline: 'latest' });
  });
});

describe('start plan', () => {
  const cfg = testConfig({ name: 'node-2', dir: '/pg', port: 5433 });
  const up = { name: 'node-1', host: '10.0.0.1', port: 5432 };
  test('replica: slot from my name, pgpass record for the replication user', () => {
    const plan = buildStartPlan(cfg, testDynamic(), 150000, 'replica', up);
    assert.equal(plan.files.recovery?.primary_slot_name, 'node_2');
    assert.equal(
      plan.files.recovery?.primary_conninfo,
      'dbname=postgres user=replicator passfile=/pg/pgpass host=10.0.0.1 port=5432 sslmode=prefer application_name=node-2 gssencmode=prefer channel_binding=prefer',
    );
    assert.deepEqual(plan.pgpass, { host: '10.0.0.1', port: '5432', user: 'replicator', password: "rep-pass:with\\odd'chars" });
    assert.ok(plan.options.includes('--port=5433'));
  });
  test('use_slots off: no primary_slot_name; primary: no recovery at all', () => {
    assert.equal(buildStartPlan(cfg, testDynamic({ use_slots: false }), 150000, 'replica', up).files.recovery?.primary_slot_name, undefined);
    assert.equal(buildStartPlan(cfg, testDynamic(), 150000, 'primary', null).files.recovery, null);
  });
  test('standby leader: standby_cluster slot and restore_command', () => {
    const dyn = testDynamic({ standby_cluster: { host: 'remote', port: 5432, primary_slot_name: 'Standby-Slot', restore_command: 'cp %f %p' } });
    const rec = buildStartPlan(cfg, dyn, 150000, 'standby_leader', up).files.recovery;
    assert.equal(rec?.primary_slot_name, 'standby_slot');
    assert.equal(rec?.restore_command, 'cp %f %p');
  });
});
