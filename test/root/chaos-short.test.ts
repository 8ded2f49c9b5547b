// The short fault-injection run (issue 7): kill -9 of the primary, a frozen primary host for longer than
// ttl, and the primary cut from etcd, with a writer and split-brain probes running; zero invariant
// violations. Network namespaces need root: scripts/test.mjs runs test/root/ as root (the daemons still
// run as postgres inside the namespaces); run by anyone else, it skips.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { canCreateNetns } from '../../chaos/netns.js';
import { isObject, parseJson } from '../../src/util/json.js';
import { makeTempDir } from '../support/tmp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const skip = canCreateNetns() ? false : 'needs root for network namespaces: run `npm test` (or `node --import tsx chaos/run.ts --short`) as root';

describe('chaos --short', { skip }, () => {
  const dir = makeTempDir('chaos-short');
  let stop: (() => void) | undefined;
  after(() => {
    stop?.();
    dir.remove();
  });

  test('three faults injected, cluster recovers each time, zero invariant violations', { timeout: 15 * 60_000 }, async () => {
    const jsonPath = join(dir.path, 'report.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'chaos/run.ts', '--short', '--json', jsonPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // SIGTERM lets run.ts remove its namespaces and processes before exiting.
    stop = () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    };
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    const report = parseJson(readFileSync(jsonPath, 'utf8'));
    assert.ok(isObject(report), output);
    const results = Array.isArray(report.results) ? report.results.filter(isObject) : [];
    assert.deepEqual(
      results.map((r) => `${String(r.fault)}:${String(r.outcome)}`),
      ['kill-primary:ok', 'freeze-node:ok', 'cut-primary-etcd:ok'],
      output,
    );
    assert.equal(report.violations, 0, output);
    assert.ok(Number(report.acknowledgedCommits) > 0, output);
    assert.equal(code, 0, output);
  });
});
