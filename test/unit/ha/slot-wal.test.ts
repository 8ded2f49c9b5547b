// Which WAL segments a copied logical slot needs fetched from the primary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSegmentFile, segmentFileName, segmentNumber, slotWalPlan } from '../../../src/ha/core/slot-wal.js';

const MB16 = 16 * 1024 * 1024;
const MB1 = 1024 * 1024;

test('segment numbers from an LSN follow wal_segment_size', () => {
  assert.equal(segmentNumber(0x3000010, MB16), 3);
  assert.equal(segmentNumber(0x2ffffff, MB16), 2);
  assert.equal(segmentNumber(0x1_0000_0000 + 0x3000000, MB16), 256 + 3);
  assert.equal(segmentNumber(0x3000010, MB1), 0x30);
  assert.equal(segmentNumber(0x1_0000_0000, 1024 * MB1), 4);
});

test('file names round-trip, the segment number split at 4 GB per xlog id', () => {
  assert.equal(segmentFileName(1, 3, MB16), '000000010000000000000003');
  assert.equal(segmentFileName(2, 256 + 3, MB16), '000000020000000100000003');
  assert.equal(segmentFileName(1, 4096 + 5, MB1), '000000010000000100000005');
  assert.deepEqual(parseSegmentFile('0000000A0000000100000003', MB16), { name: '0000000A0000000100000003', timeline: 10, segno: 259 });
  for (const other of [
    '00000002.history',
    '000000010000000000000003.partial',
    '000000010000000000000003.00000028.backup',
    'archive_status',
    '0000000100000000000001FF',
  ])
    assert.equal(parseSegmentFile(other, MB16), null, other); // 0x1FF is beyond the 256 segments of 16 MB per xlog id
});

test('missing segments from the restart_lsn up to the replica restart point are fetched, oldest first', () => {
  const plan = slotWalPlan({
    restartLsn: 0x3000010,
    upToLsn: 0x6000028,
    segmentSize: MB16,
    replicaFiles: ['000000010000000000000005', '000000010000000000000006', '000000010000000000000007', 'archive_status'],
    primaryFiles: ['000000010000000000000003', '000000010000000000000004', '000000010000000000000005', '000000010000000000000006'],
  });
  assert.deepEqual(plan, { fetch: ['000000010000000000000003', '000000010000000000000004'], unavailable: [] });
});

test('nothing to fetch when the replica still has everything, or restart_lsn is past its restart point', () => {
  const files = ['000000010000000000000003', '000000010000000000000004'];
  assert.deepEqual(slotWalPlan({ restartLsn: 0x3000010, upToLsn: 0x4000028, segmentSize: MB16, replicaFiles: files, primaryFiles: files }), {
    fetch: [],
    unavailable: [],
  });
  assert.deepEqual(slotWalPlan({ restartLsn: 0x9000010, upToLsn: 0x4000028, segmentSize: MB16, replicaFiles: [], primaryFiles: files }), {
    fetch: [],
    unavailable: [],
  });
});

test('the primary file with the highest timeline for a segment is the one fetched; the same name here counts as present', () => {
  const primaryFiles = ['000000010000000000000004', '000000020000000000000004', '000000010000000000000004.partial', '000000020000000000000005'];
  assert.deepEqual(slotWalPlan({ restartLsn: 0x4000000, upToLsn: 0x6000000, segmentSize: MB16, replicaFiles: ['000000010000000000000004'], primaryFiles }), {
    fetch: ['000000020000000000000004', '000000020000000000000005'],
    unavailable: [],
  });
  assert.deepEqual(slotWalPlan({ restartLsn: 0x4000000, upToLsn: 0x6000000, segmentSize: MB16, replicaFiles: ['000000020000000000000004'], primaryFiles }), {
    fetch: ['000000020000000000000005'],
    unavailable: [],
  });
});

test('a segment neither side has is reported; one only the replica has is used as it is', () => {
  assert.deepEqual(
    slotWalPlan({
      restartLsn: 0x2000000,
      upToLsn: 0x5000000,
      segmentSize: MB16,
      replicaFiles: ['000000020000000000000003', '000000020000000000000005'],
      primaryFiles: ['000000020000000000000004'],
    }),
    { fetch: ['000000020000000000000004'], unavailable: ['000000020000000000000002'] },
  );
});

test('unknown restart point: up to the newest segment the replica has', () => {
  assert.deepEqual(
    slotWalPlan({
      restartLsn: 0x3000000,
      upToLsn: null,
      segmentSize: MB16,
      replicaFiles: ['000000010000000000000005', '000000010000000000000006'],
      primaryFiles: ['000000010000000000000003', '000000010000000000000004', '000000010000000000000005', '000000010000000000000006'],
    }),
    { fetch: ['000000010000000000000003', '000000010000000000000004'], unavailable: [] },
  );
});
