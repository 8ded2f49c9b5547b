// The test harness fails a test whose daemon logged "please report it as a BUG" (issue 10): the line
// is caught from the daemon's output stream, for our daemons only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { assertNoBugLines } from '../../support/cluster/cluster.js';
import { LogCapture } from '../../support/cluster/logcapture.js';
import type { ClusterNode } from '../../support/cluster/node.js';

test('a BUG line in a daemon log fails the check; other lines and Debian daemons do not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'patroni-ts-bug-'));
  try {
    const capture = new LogCapture(join(dir, 'patroni.log'));
    const out = new PassThrough();
    capture.attach(out);
    out.write('2026-11-28 23:00:00,000 INFO: no action. I am (n1), the leader with the lock\n2026-11-28 23:00:01,000 ERROR: Unexpected exce');
    out.write('ption raised, please report it as a BUG: boom\n');
    await new Promise((r) => setImmediate(r));
    await capture.close();
    const node = (impl: 'ts' | 'debian') => ({ name: 'n1', impl, bugLines: capture.bugLines }) as unknown as ClusterNode;
    assert.throws(() => assertNoBugLines([node('ts')]), /a daemon logged a defect:\nn1: .*please report it as a BUG: boom/);
    assert.doesNotThrow(() => assertNoBugLines([node('debian')]));
    assert.doesNotThrow(() => assertNoBugLines([{ name: 'n2', impl: 'ts', bugLines: [] } as unknown as ClusterNode]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
