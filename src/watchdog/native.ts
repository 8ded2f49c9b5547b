// Loads the ioctl addon built from native/watchdog.c by `npm ci` (scripts/build-native.mjs).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WatchdogInfo {
  options: number;
  firmwareVersion: number;
  identity: string;
}

export interface WatchdogIoctl {
  getSupport(fd: number): WatchdogInfo;
  /** WDIOC_SETTIMEOUT; returns the timeout the driver actually set. */
  setTimeout(fd: number, seconds: number): number;
  getTimeout(fd: number): number;
}

let cached: WatchdogIoctl | string | undefined;

/** The addon, or why it could not be loaded. */
export function watchdogIoctl(): WatchdogIoctl | string {
  if (cached !== undefined) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/patroni.mjs has it beside itself; src/watchdog/*.ts (tests) two levels below the repository.
  const candidates = [join(here, 'watchdog.node'), join(here, '../build/Release/watchdog.node'), join(here, '../../build/Release/watchdog.node')];
  const path = candidates.find((p) => existsSync(p));
  if (!path) return (cached = 'the watchdog ioctl addon is not built (npm ci builds it on Linux)');
  try {
    cached = createRequire(import.meta.url)(path) as WatchdogIoctl;
  } catch (e) {
    cached = `the watchdog ioctl addon could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
  }
  return cached;
}
