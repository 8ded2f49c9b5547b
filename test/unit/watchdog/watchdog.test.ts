// The watchdog's numbers and activation verdicts as tables; the facade driving Patroni's `testing`
// driver over a real named pipe (what the harness reads is what a device would have been told).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { judgeActivation, timingSlack, watchdogHealthy, watchdogTimeout, type WatchdogSettings } from '../../../src/watchdog/settings.js';
import { LinuxWatchdogDevice } from '../../../src/watchdog/linux.js';
import { Watchdog } from '../../../src/watchdog/watchdog.js';

const settings = (s: Partial<WatchdogSettings> = {}): WatchdogSettings => ({
  mode: 'automatic',
  driver: 'testing',
  device: '/nonexistent',
  safetyMargin: 5,
  ttl: 30,
  loopWait: 10,
  ...s,
});

describe('watchdog timeout and slack (WatchdogConfig)', () => {
  const rows: [Partial<WatchdogSettings>, number, number][] = [
    [{}, 25, 15],
    [{ safetyMargin: -1 }, 15, 5],
    [{ ttl: 20, safetyMargin: 5, loopWait: 10 }, 15, 5],
    [{ ttl: 20, safetyMargin: 15, loopWait: 10 }, 5, -5],
  ];
  for (const [s, timeout, slack] of rows) {
    test(`${JSON.stringify(s)} -> timeout ${timeout}, slack ${slack}`, () => {
      assert.equal(watchdogTimeout(settings(s)), timeout);
      assert.equal(timingSlack(settings(s)), slack);
    });
  }
});

describe('watchdog health per mode (watchdog_failed)', () => {
  const rows: [string, Partial<WatchdogSettings>, boolean, boolean][] = [
    ['off, no device', { mode: 'off' }, false, true],
    ['automatic, no device', { mode: 'automatic' }, false, true],
    ['required, no device', { mode: 'required' }, false, false],
    ['required, device present', { mode: 'required' }, true, true],
    ['required, ttl too short for loop_wait', { mode: 'required', ttl: 20, safetyMargin: 15 }, true, false],
  ];
  for (const [name, s, deviceHealthy, healthy] of rows) {
    test(name, () => assert.equal(watchdogHealthy(settings(s), deviceHealthy), healthy));
  }
});

describe('activation verdict per mode (Watchdog._activate)', () => {
  const running = { isNull: false, isRunning: true, describe: 'Watchdog test harness', actualTimeout: 25 };
  const nothing = { isNull: true, isRunning: false, describe: 'NullWatchdog', actualTimeout: null };
  test('off / automatic without a device: fine, nothing running', () => {
    assert.deepEqual(judgeActivation(settings({ mode: 'automatic' }), nothing), { ok: true, logs: [] });
  });
  test('required without a device: refused', () => {
    assert.deepEqual(judgeActivation(settings({ mode: 'required' }), nothing), {
      ok: false,
      logs: [{ level: 'error', message: 'Configuration requires watchdog, but watchdog could not be configured.' }],
    });
  });
  test('required with a safe timeout: activated', () => {
    assert.deepEqual(judgeActivation(settings({ mode: 'required' }), running), {
      ok: true,
      logs: [{ level: 'info', message: 'Watchdog test harness activated with 25 second timeout, timing slack 15 seconds' }],
    });
  });
  test('required with a timeout longer than ttl - safety_margin: refused', () => {
    const v = judgeActivation(settings({ mode: 'required' }), { ...running, actualTimeout: 60 });
    assert.equal(v.ok, false);
    assert.match(v.logs[0]!.message, /a safe watchdog timeout 25 could not be configured\. Watchdog timeout is 60\./);
  });
  test('automatic with a too long timeout: used, with a warning', () => {
    const v = judgeActivation(settings({ mode: 'automatic' }), { ...running, actualTimeout: 60 });
    assert.equal(v.ok, true);
    assert.deepEqual(
      v.logs.map((l) => l.level),
      ['warning', 'info'],
    );
  });
});

describe('the testing driver over a named pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wd-'));
  const fifo = join(dir, 'watchdog');
  execFileSync('mkfifo', [fifo]);
  after(() => rmSync(dir, { recursive: true, force: true }));
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  after(() => closeSync(reader));
  const drain = (): string => {
    const buf = Buffer.alloc(4096);
    try {
      const n = readSync(reader, buf);
      return buf.subarray(0, n).toString();
    } catch {
      return '';
    }
  };

  test('activate writes the timeout, keepalive writes 1, a ttl change applies at the next keepalive, disable writes V', () => {
    const wd = new Watchdog(settings({ mode: 'required', device: fifo }));
    assert.equal(wd.isHealthy, true);
    assert.equal(wd.activate(), true);
    assert.equal(wd.isRunning, true);
    assert.equal(drain(), 'Ctimeout=25\n');
    wd.keepalive();
    assert.equal(drain(), '1');
    wd.reloadConfig(settings({ mode: 'required', device: fifo, ttl: 40 }));
    assert.equal(drain(), '', 'a change waits for the keepalive that follows a lock update');
    wd.keepalive();
    assert.equal(drain(), '1Ctimeout=35\n');
    wd.disable();
    assert.equal(drain(), 'V');
    assert.equal(wd.isRunning, false);
  });

  test('required with no usable device refuses activation and reports itself unhealthy', () => {
    const wd = new Watchdog(settings({ mode: 'required', device: join(dir, 'missing') }));
    assert.equal(wd.isHealthy, false);
    assert.equal(wd.activate(), false);
    assert.equal(wd.isRunning, false);
  });

  test('automatic with no usable device carries on without one', () => {
    const wd = new Watchdog(settings({ mode: 'automatic', device: join(dir, 'missing') }));
    assert.equal(wd.isHealthy, true);
    assert.equal(wd.activate(), true);
    assert.equal(wd.isRunning, false);
  });

  test('off never opens the device', () => {
    const wd = new Watchdog(settings({ mode: 'off', device: fifo }));
    assert.equal(wd.activate(), true);
    assert.equal(wd.isRunning, false);
    assert.equal(drain(), '');
  });

  test('the Linux driver on a path that is no device fails to activate under required', () => {
    const wd = new Watchdog(settings({ mode: 'required', driver: 'default', device: join(dir, 'missing') }));
    assert.equal(wd.activate(), false);
  });
});

describe('the Linux driver (ioctl addon)', () => {
  test('a character device that is no watchdog: WDIOC_GETSUPPORT fails with ENOTTY, activation refused', () => {
    const dev = new LinuxWatchdogDevice('/dev/null');
    dev.open();
    assert.throws(() => dev.hasSetTimeout(), /WDIOC_GETSUPPORT: Inappropriate ioctl for device/);
    dev.close();
    assert.equal(new Watchdog(settings({ mode: 'required', driver: 'default', device: '/dev/null' })).activate(), false);
  });
});

describe('device health as GET /patroni reports it', () => {
  test('answered from the last check; a vanished device is noticed by a background check, not per call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-health-'));
    try {
      const device = join(dir, 'watchdog');
      closeSync(openSync(device, 'w'));
      const dev = new LinuxWatchdogDevice(device);
      assert.equal(dev.isHealthy, true);
      rmSync(device);
      // A health check must not touch the file system synchronously: the cached answer stands...
      assert.equal(dev.isHealthy, true);
      // ...until the asynchronous re-check (at most once a second) has seen the device go.
      const deadline = Date.now() + 10_000;
      while (dev.isHealthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(dev.isHealthy, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
