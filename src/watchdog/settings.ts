// The watchdog numbers Patroni derives from the config (WatchdogConfig): pure, no device here.
import type { PatroniConfig } from '../config/types.js';

export type WatchdogMode = PatroniConfig['watchdog']['mode'];

/** Local `watchdog` section plus the dynamic ttl / loop_wait it is measured against. */
export interface WatchdogSettings {
  mode: WatchdogMode;
  driver: string;
  device: string;
  safetyMargin: number;
  ttl: number;
  loopWait: number;
}

/** Seconds the device may go without a keepalive: `ttl - safety_margin`, or ttl/2 for margin -1. */
export function watchdogTimeout(s: Pick<WatchdogSettings, 'ttl' | 'safetyMargin'>): number {
  return s.safetyMargin === -1 ? Math.floor(s.ttl / 2) : s.ttl - s.safetyMargin;
}

/** How late a keepalive may come after loop_wait before the device fires; < 0: unusable. */
export function timingSlack(s: Pick<WatchdogSettings, 'ttl' | 'safetyMargin' | 'loopWait'>): number {
  return watchdogTimeout(s) - s.loopWait;
}

export const sameDevice = (a: WatchdogSettings, b: WatchdogSettings): boolean => a.driver === b.driver && a.device === b.device;

export const sameSettings = (a: WatchdogSettings, b: WatchdogSettings): boolean =>
  a.mode === b.mode && a.ttl === b.ttl && a.loopWait === b.loopWait && a.safetyMargin === b.safetyMargin && sameDevice(a, b);

/**
 * Patroni's Watchdog.is_healthy, as published in `watchdog_failed` and checked before a leader race:
 * only `required` can be unhealthy, when the timing cannot work or the device cannot be opened.
 */
export function watchdogHealthy(s: WatchdogSettings, deviceHealthy: boolean): boolean {
  if (s.mode !== 'required') return true;
  return timingSlack(s) >= 0 && deviceHealthy;
}

export interface LogLine {
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** What activation concluded: usable (with what to log) or refused under `required`. */
export type ActivationVerdict = { ok: true; logs: LogLine[] } | { ok: false; logs: LogLine[] };

/** Patroni's Watchdog._activate once the device was opened (or not) and its timeout read back. */
export function judgeActivation(
  s: WatchdogSettings,
  device: { isNull: boolean; isRunning: boolean; describe: string; actualTimeout: number | null },
): ActivationVerdict {
  const wanted = watchdogTimeout(s);
  const tooLong = device.actualTimeout !== null && device.actualTimeout > wanted;
  if (!device.isRunning || tooLong) {
    if (s.mode === 'required') {
      return {
        ok: false,
        logs: [
          {
            level: 'error',
            message: device.isNull
              ? 'Configuration requires watchdog, but watchdog could not be configured.'
              : `Configuration requires watchdog, but a safe watchdog timeout ${wanted} could not be configured. Watchdog timeout is ${device.actualTimeout}.`,
          },
        ],
      };
    }
  }
  const logs: LogLine[] = [];
  if (tooLong && !device.isNull) {
    logs.push({ level: 'warning', message: `Watchdog timeout ${device.actualTimeout} seconds does not ensure safe termination within ${wanted} seconds` });
  }
  if (device.isRunning) {
    logs.push({ level: 'info', message: `${device.describe} activated with ${device.actualTimeout} second timeout, timing slack ${timingSlack(s)} seconds` });
  }
  return { ok: true, logs };
}
