import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkpointLsnFromControlFile, parseControlData, redoLsnFromControlFile } from '../../../src/postgresql/controldata.js';

// Captured from `pg_controldata` of a fresh PostgreSQL 15 initdb --data-checksums.
const sample = readFileSync(new URL('./fixtures/pg_controldata.txt', import.meta.url), 'utf8');

describe('pg_controldata parsing', () => {
  test('reads the fields the HA logic needs', () => {
    const cd = parseControlData(sample);
    assert.ok(cd);
    assert.equal(cd.systemIdentifier, '7712265839114664595');
    assert.equal(cd.clusterState, 'shut down');
    assert.equal(cd.timeline, 1);
    assert.equal(cd.checkpointLsn, 0x17529b0);
    assert.equal(cd.minRecoveryLsn, 0);
    assert.equal(cd.walLogHints, false);
    assert.equal(cd.dataChecksums, true);
    assert.equal(cd.raw["Latest checkpoint's REDO WAL file"], '000000010000000000000001');
    assert.equal(cd.raw['max_connections setting'], '100');
  });
  test('replica states and wal_log_hints', () => {
    const text = sample
      .replace('shut down', 'shut down in recovery')
      .replace('wal_log_hints setting:                off', 'wal_log_hints setting:                on')
      .replace('Minimum recovery ending location:     0/0', 'Minimum recovery ending location:     1/2');
    const cd = parseControlData(text);
    assert.equal(cd?.clusterState, 'shut down in recovery');
    assert.equal(cd?.walLogHints, true);
    assert.equal(cd?.minRecoveryLsn, 2 ** 32 + 2);
  });
  test('null for output without a system identifier', () => {
    assert.equal(parseControlData('pg_controldata: error: could not open file'), null);
  });
});

test('checkpoint location read from pg_control bytes (the layout of 9.6 .. 17), unknown layouts refused', () => {
  const buf = Buffer.alloc(8192);
  buf.writeBigUInt64LE(7713366204486899279n, 0);
  buf.writeUInt32LE(1300, 8);
  buf.writeUInt32LE(1, 16);
  buf.writeBigUInt64LE(0x15c4aa0n, 32);
  assert.equal(checkpointLsnFromControlFile(buf), 0x15c4aa0);
  buf.writeUInt32LE(1800, 8);
  assert.equal(checkpointLsnFromControlFile(buf), null, 'a future layout falls back to pg_controldata');
  assert.equal(checkpointLsnFromControlFile(Buffer.alloc(10)), null);
});

test('the REDO location is read straight from pg_control (checkPointCopy.redo at 40)', () => {
  const buf = Buffer.alloc(64);
  buf.writeBigUInt64LE(7712265839114664595n, 0);
  buf.writeUInt32LE(1300, 8);
  buf.writeBigUInt64LE(0x2016400n, 32);
  buf.writeBigUInt64LE(0x2016328n, 40);
  assert.equal(redoLsnFromControlFile(buf), 0x2016328);
  buf.writeUInt32LE(1800, 8);
  assert.equal(redoLsnFromControlFile(buf), null, 'unknown layout');
  assert.equal(redoLsnFromControlFile(Buffer.alloc(44)), null);
});
