import assert from 'node:assert/strict';
import { test } from 'node:test';
import { segmentName, timelineOfSegment } from '../../../src/postgresql/wal-timeline.js';

const MB16 = 16 * 1024 * 1024;

test('segment names follow PostgreSQL (log id, segment number)', () => {
  assert.equal(segmentName(0x4000060, MB16), '0000000000000004');
  assert.equal(segmentName(2 ** 32 + 0x1000000, MB16), '0000000100000001');
});

test('the replay timeline is the highest timeline holding the replay segment', () => {
  const files = ['000000010000000000000003', '000000010000000000000004', '000000020000000000000004', '00000002.history', 'archive_status'];
  assert.equal(timelineOfSegment(files, 0x4000060, MB16), 2);
  assert.equal(timelineOfSegment(files, 0x3000060, MB16), 1);
  assert.equal(timelineOfSegment(files, 0x9000000, MB16), null);
});
