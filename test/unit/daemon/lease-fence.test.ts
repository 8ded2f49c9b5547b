import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { LeaseFence } from '../../../src/daemon/lease-fence.js';

test('fires at ttl after the refresh started, unless refreshed or disarmed first', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let fenced = 0;
    const fence = new LeaseFence(async () => { fenced++; });
    fence.arm(0, 20, 0);
    mock.timers.tick(19_000);
    fence.arm(19_000, 20, 19_000); // refreshed in time: re-armed for 39 s
    mock.timers.tick(19_999);
    assert.equal(fenced, 0);
    mock.timers.tick(2);
    assert.equal(fenced, 1, 'the lease ran out: fence');
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
    const fence = new LeaseFence(async () => { fenced++; });
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
    const fence = new LeaseFence(async () => { fenced++; });
    fence.arm(0, 3_000_000, 0); // 34.7 days: beyond 2^31-1 ms
    mock.timers.tick(1_000);
    assert.equal(fenced, 0, 'not at once');
    mock.timers.tick(2 ** 31 - 1 - 1_000);
    assert.equal(fenced, 0, 'not at the 24.8-day step either');
    mock.timers.tick(3_000_000_000 - (2 ** 31 - 1) - 1);
    assert.equal(fenced, 0, 'not 1 ms early');
    mock.timers.tick(1);
    assert.equal(fenced, 1, 'at ttl');
  } finally {
    mock.timers.reset();
  }
});
