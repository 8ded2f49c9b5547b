import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseControlData } from '../../../src/postgresql/controldata.js';

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
    const text = sample.replace('shut down', 'shut down in recovery').replace('wal_log_hints setting:                off', 'wal_log_hints setting:                on')
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
