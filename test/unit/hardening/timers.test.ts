// Issue 13 item 4: delays from outside never exceed what Node's timers honour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS, setLongTimeout, timerDelay } from '../../../src/util/timers.js';

test('timerDelay clamps NaN, negatives and values past 2^31-1 ms', () => {
  assert.equal(timerDelay(Number.NaN), 0);
  assert.equal(timerDelay(-5), 0);
  assert.equal(timerDelay(1500), 1500);
  assert.equal(timerDelay(3_000_000 * 1000), MAX_TIMER_MS);
  assert.equal(timerDelay(Infinity), MAX_TIMER_MS);
});

test('setLongTimeout: a short delay fires, a cleared one does not', async () => {
  let fired = 0;
  const keepAlive = setTimeout(() => undefined, 1000); // the long timer is unref'd
  await new Promise<void>((resolve) =>
    setLongTimeout(() => {
      fired++;
      resolve();
    }, 5),
  );
  clearTimeout(keepAlive);
  const t = setLongTimeout(() => {
    fired++;
  }, 10);
  t.clear();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fired, 1);
});

test('setLongTimeout with a huge delay does not fire within a real second (plain setTimeout fires after 1 ms)', async () => {
  let fired = false;
  const t = setLongTimeout(() => {
    fired = true;
  }, 3_000_000_000);
  await new Promise((r) => setTimeout(r, 50));
  t.clear();
  assert.equal(fired, false);
});

test('a tool run with a timeout past the limit (pg_ctl -t from a huge restart timeout) is not killed at once', async () => {
  const { runTool } = await import('../../../src/postgresql/tools.js');
  const r = await runTool('/bin/sleep', ['0.3'], { timeoutMs: 3_000_000 * 1000 });
  assert.equal(r.code, 0, r.stderr);
});
