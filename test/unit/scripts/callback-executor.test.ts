// Patroni's CallbackExecutor rules with a fake process starter: one at a time, a newcomer kills the
// running one and starts once it is gone, only the latest waiting one runs; on_reload has its own slot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallbackExecutor } from '../../../src/scripts/callback-executor.js';
import type { RunningScript } from '../../../src/scripts/runner.js';

function fakeStarter() {
  const started: { argv: string[]; killed: boolean; finish(): void }[] = [];
  const start = (argv: string[]): RunningScript => {
    let resolve!: (c: number | null) => void;
    const exited = new Promise<number | null>((r) => {
      resolve = r;
    });
    let alive = true;
    const rec = {
      argv,
      killed: false,
      finish: () => {
        alive = false;
        resolve(0);
      },
    };
    started.push(rec);
    return {
      argv,
      exited,
      running: () => alive,
      kill: () => {
        rec.killed = true;
        alive = false;
        resolve(null);
      },
    };
  };
  return { started, start };
}
const cb = (action: string) => ['/cb', action, 'replica', 'batman'];
const tick = () => new Promise((r) => setImmediate(r));

test('a callback runs at once when nothing else runs', async () => {
  const f = fakeStarter();
  const ex = new CallbackExecutor(f.start);
  ex.call(cb('on_start'));
  assert.deepEqual(
    f.started.map((s) => s.argv[1]),
    ['on_start'],
  );
  f.started[0]!.finish();
  await tick();
  assert.equal(ex.busy(), false);
});

test('a new callback kills the running one, then starts; only the latest of several waits', async () => {
  const f = fakeStarter();
  const ex = new CallbackExecutor(f.start);
  ex.call(cb('on_stop'));
  ex.call(cb('on_start'));
  ex.call(cb('on_role_change'));
  assert.equal(f.started[0]!.killed, true);
  await tick();
  assert.deepEqual(
    f.started.map((s) => s.argv[1]),
    ['on_stop', 'on_role_change'],
  );
});

test('on_reload has its own slot: it does not kill other callbacks, only an older on_reload', async () => {
  const f = fakeStarter();
  const ex = new CallbackExecutor(f.start);
  ex.call(cb('on_role_change'));
  ex.call(cb('on_reload'));
  assert.equal(f.started[0]!.killed, false);
  ex.call(cb('on_reload'));
  assert.equal(f.started[1]!.killed, true);
  assert.deepEqual(
    f.started.map((s) => s.argv[1]),
    ['on_role_change', 'on_reload', 'on_reload'],
  );
});
