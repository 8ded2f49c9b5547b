import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { fenceMarginMs, LeaseFence } from '../../../src/daemon/lease-fence.js';

test('margin: ttl/6 between 1 and 2 s', () => {
  assert.deepEqual([fenceMarginMs(6), fenceMarginMs(9), fenceMarginMs(20), fenceMarginMs(30)], [1000, 1500, 2000, 2000]);
});

test('fires a margin before the earliest expiry (ttl after the renewal was sent), unless renewed or disarmed first', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let fenced = 0;
    const fence = new LeaseFence(async () => {
      fenced++;
    });
    fence.arm(0, 20, 0);
    mock.timers.tick(17_000);
    fence.arm(17_000, 20, 17_000); // renewed in time: re-armed for 37 s - 2 s
    mock.timers.tick(17_999);
    assert.equal(fenced, 0);
    mock.timers.tick(2);
    assert.equal(fenced, 1, 'the lease could expire in 2 s: fence');
    fence.arm(40_000, 20, 40_000);
    fence.disarm();
    mock.timers.tick(60_000);
    assert.equal(fenced, 1, 'disarmed: nothing');
  } finally {
    mock.timers.reset();
  }
});

test('a refresh that finished late arms for what is left (frozen process)', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let fenced = 0;
    const fence = new LeaseFence(async () => {
      fenced++;
    });
    fence.arm(0, 20, 25_000);
    mock.timers.tick(0);
    assert.equal(fenced, 1);
  } finally {
    mock.timers.reset();
  }
});

test('a ttl past Node\'s timer limit (PATCH /config {"ttl": 3000000}) never fires early', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let fenced = 0;
    const fence = new LeaseFence(async () => {
      fenced++;
    });
    fence.arm(0, 3_000_000, 0); // 34.7 days: beyond 2^31-1 ms
    mock.timers.tick(1_000);
    assert.equal(fenced, 0, 'not at once');
    mock.timers.tick(2 ** 31 - 1 - 1_000);
    assert.equal(fenced, 0, 'not at the 24.8-day step either');
    const fireAt = 3_000_000_000 - fenceMarginMs(3_000_000);
    mock.timers.tick(fireAt - (2 ** 31 - 1) - 1);
    assert.equal(fenced, 0, 'not 1 ms early');
    mock.timers.tick(1);
    assert.equal(fenced, 1, 'at ttl less the fence margin');
  } finally {
    mock.timers.reset();
  }
});
