// The script runner: Patroni's filtered environment, output logged, a kill reaches what the script started.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runScript, startScript } from '../../../src/scripts/runner.js';
import { makeTempDir } from '../../support/tmp.js';

const dir = makeTempDir('runner');
after(() => dir.remove());

test('PATRONI_* never reaches a script; extra variables do; the exit code comes back', async () => {
  process.env.PATRONI_TEST_SECRET = 'secret';
  try {
    const out = join(dir.path, 'env');
    const code = await runScript(['/bin/sh', '-c', `echo "\${PATRONI_TEST_SECRET:-unset} $PGPASSFILE" > ${out}; exit 7`], { env: { PGPASSFILE: '/x/pgpass' } });
    assert.equal(code, 7);
    assert.equal(readFileSync(out, 'utf8'), 'unset /x/pgpass\n');
  } finally {
    delete process.env.PATRONI_TEST_SECRET;
  }
});

test('a missing program is an exit code of null, not an exception', async () => {
  assert.equal(await runScript([join(dir.path, 'no-such-script')]), null);
});

test('kill ends the script and the children it started', async () => {
  const pidFile = join(dir.path, 'child.pid');
  const s = startScript(['/bin/sh', '-c', `sleep 600 & echo $! > ${pidFile}; wait`]);
  let childPid = 0;
  for (const until = Date.now() + 10_000; !childPid && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      childPid = Number(readFileSync(pidFile, 'utf8'));
    } catch {
      /* not yet */
    }
  }
  assert.ok(childPid > 0);
  s.kill();
  assert.equal(await s.exited, null);
  let alive = true;
  for (const until = Date.now() + 10_000; alive && Date.now() < until; ) {
    // A zombie nobody reaps yet counts as dead (some containers' PID 1 reaps late).
    try {
      process.kill(childPid, 0);
      alive = !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${childPid}/stat`, 'utf8'));
    } catch {
      alive = false;
    }
    if (alive) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(alive, false, 'the background child died with the script');
});
