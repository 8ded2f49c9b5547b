// The loop both etcd watchers run: a failed round is retried after a backoff, stop() ends a backoff and
// a live round at once, restart() cuts the live round short and reads again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchLoop } from '../../../src/dcs/watch-loop.js';

class Probe extends WatchLoop {
  rounds = 0;
  interrupts = 0;
  /** What the next rounds do: fail at once, or go live and wait until interrupted. */
  mode: 'fail' | 'live' = 'fail';
  private release: () => void = () => {};
  constructor() {
    super('probe watch failed');
  }
  protected async watchOnce(onLive: () => void): Promise<void> {
    this.rounds++;
    if (this.mode === 'fail') throw new Error('connection refused');
    this.live = true;
    onLive();
    await new Promise<void>((r) => {
      this.release = r;
    });
  }
  protected interrupt(): void {
    this.interrupts++;
    this.release();
  }
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('a failed round is retried after a backoff; stop() ends the backoff at once', async () => {
  const p = new Probe();
  p.start();
  await until(() => p.rounds === 1);
  assert.equal(p.isLive, false);
  // stop() settles in microtasks: a timer started with it cannot fire first unless the backoff is waited out.
  const first = await Promise.race([p.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('backoff waited out'), 450))]);
  assert.equal(first, 'stopped');
  assert.equal(p.rounds, 1);
});

test('a live round: restart() cuts it short and the loop reads again; stop() ends it', async () => {
  const p = new Probe();
  p.mode = 'live';
  p.start();
  await until(() => p.isLive);
  p.restart();
  assert.equal(p.isLive, false);
  await until(() => p.rounds === 2 && p.isLive);
  await p.stop();
  assert.equal(p.isLive, false);
  assert.ok(p.interrupts >= 2);
});
