// Patroni's Watchdog facade: picks the driver, activates it when this node starts leading, pings it
// after each successful leader-key update, applies config changes at the next keepalive (so the new
// timeout starts with a fresh lease), and disables it when leadership ends cleanly. A device that
// fails to activate is replaced by the null device until the config changes (no log spam).
import { log } from '../log/logger.js';
import { NullWatchdog, WatchdogError, type WatchdogDevice } from './device.js';
import { LinuxWatchdogDevice, TestingWatchdogDevice } from './linux.js';
import { judgeActivation, sameDevice, sameSettings, timingSlack, watchdogHealthy, watchdogTimeout, type WatchdogSettings } from './settings.js';

export function deviceFor(s: WatchdogSettings, platform: NodeJS.Platform = process.platform): WatchdogDevice {
  if (s.driver === 'testing') return new TestingWatchdogDevice(s.device);
  if (platform === 'linux' && s.driver === 'default') return new LinuxWatchdogDevice(s.device);
  return new NullWatchdog();
}

const describeError = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class Watchdog {
  private config: WatchdogSettings;
  private activeConfig: WatchdogSettings;
  private impl: WatchdogDevice;
  /** Activation was requested (leading) and not disabled since. */
  private active = false;

  /** Throws when `required` cannot work on this platform at all (Patroni exits at start). */
  constructor(
    settings: WatchdogSettings,
    private readonly makeDevice: (s: WatchdogSettings) => WatchdogDevice = deviceFor,
  ) {
    this.config = this.activeConfig = settings;
    this.impl = settings.mode === 'off' ? new NullWatchdog() : makeDevice(settings);
    if (settings.mode === 'required' && this.impl.isNull) {
      throw new WatchdogError('Configuration requires a watchdog, but watchdog is not supported on this platform.');
    }
  }

  get isRunning(): boolean {
    return this.impl.isRunning;
  }
  get isActive(): boolean {
    return this.active;
  }
  get isHealthy(): boolean {
    return watchdogHealthy(this.config, this.impl.isHealthy);
  }
  get settings(): WatchdogSettings {
    return this.config;
  }

  /** A new local watchdog section or dynamic ttl / loop_wait (Watchdog.reload_config). */
  reloadConfig(settings: WatchdogSettings): void {
    if (sameSettings(settings, this.config)) return;
    this.config = settings;
    if (settings.mode === 'off') {
      if (this.active) this.disableDevice();
      this.activeConfig = settings;
      this.impl = new NullWatchdog();
    }
    // While active, wait for the next keepalive so the new timeout matches a fresh leader-key update.
    if (!this.active) {
      if (!sameDevice(settings, this.activeConfig)) this.impl = this.makeDevice(settings);
      this.activeConfig = settings;
    }
  }

  /** Open and configure the device; false when `required` and no safe watchdog could be set up. */
  activate(): boolean {
    this.active = true;
    return this.activateDevice();
  }

  disable(): void {
    this.disableDevice();
    this.active = false;
  }

  /** After a successful leader-key update: ping, then apply pending config changes. */
  keepalive(): void {
    try {
      if (this.active) this.impl.keepalive();
      if (!this.active || sameSettings(this.config, this.activeConfig)) return;
      if (this.config.mode !== 'off' && this.activeConfig.mode === 'off') {
        this.impl = this.makeDevice(this.config);
        this.activateDevice();
      }
      if (!sameDevice(this.config, this.activeConfig)) {
        this.disableDevice();
        this.impl = this.makeDevice(this.config);
        this.activateDevice();
      }
      if (watchdogTimeout(this.config) !== watchdogTimeout(this.activeConfig)) this.impl.setTimeout(watchdogTimeout(this.config));
      this.activeConfig = this.config;
    } catch (e) {
      log.error('Error while sending keepalive: %s', describeError(e));
    }
  }

  private activateDevice(): boolean {
    this.activeConfig = this.config;
    if (timingSlack(this.config) < 0) {
      log.warning('Watchdog not supported because leader TTL %d is less than 2x loop_wait %d', this.config.ttl, this.config.loopWait);
      this.impl = new NullWatchdog();
    }
    let actualTimeout: number | null = null;
    try {
      this.impl.open();
      actualTimeout = this.setTimeout();
    } catch (e) {
      log.warning('Could not activate %s: %s', this.impl.describe(), describeError(e));
      this.closeQuietly();
      this.impl = new NullWatchdog();
    }
    if (this.impl.isRunning && !this.canBeDisabled()) {
      log.warning("Watchdog implementation can't be disabled. Watchdog will trigger after Patroni loses leader key.");
    }
    const verdict = judgeActivation(this.config, {
      isNull: this.impl.isNull,
      isRunning: this.impl.isRunning,
      describe: this.impl.describe(),
      actualTimeout: this.impl.isNull ? null : actualTimeout,
    });
    for (const l of verdict.logs) log[l.level]('%s', l.message);
    return verdict.ok;
  }

  /** Set the timeout when supported, read it back; close a device whose timeout is below loop_wait. */
  private setTimeout(): number | null {
    if (this.impl.hasSetTimeout()) this.impl.setTimeout(watchdogTimeout(this.config));
    const actual = this.impl.getTimeout();
    if (this.impl.isRunning && actual < this.config.loopWait) {
      log.error('loop_wait of %d seconds is too long for watchdog %d second timeout', this.config.loopWait, actual);
      if (this.canBeDisabled()) {
        log.info('Disabling watchdog due to unsafe timeout.');
        this.impl.close();
        this.impl = new NullWatchdog();
        return null;
      }
    }
    return actual;
  }

  private disableDevice(): void {
    try {
      if (this.impl.isRunning && !this.canBeDisabled()) {
        // Give the administrator some time to clean up before the reset.
        this.impl.keepalive();
        log.warning("Watchdog implementation can't be disabled. System will reboot after %d seconds when watchdog times out.", this.impl.getTimeout());
      }
      this.impl.close();
    } catch (e) {
      log.error('Error while disabling watchdog: %s', describeError(e));
    }
  }

  private canBeDisabled(): boolean {
    try {
      return this.impl.canBeDisabled();
    } catch {
      return false;
    }
  }

  private closeQuietly(): void {
    try {
      this.impl.close();
    } catch {
      /* it failed to open properly */
    }
  }
}
