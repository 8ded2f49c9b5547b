// Patroni's LinuxWatchdogDevice and TestingWatchdogDevice. The device is opened write-only and
// non-blocking (a named pipe with no reader fails at once instead of hanging the loop); keepalive
// writes '1', the magic close writes 'V' before closing.
import { accessSync, closeSync, constants, openSync, writeSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { WatchdogError, type WatchdogDevice } from './device.js';
import { watchdogIoctl, type WatchdogInfo } from './native.js';

export const DEFAULT_DEVICE = '/dev/watchdog';
const WDIOF_SETTIMEOUT = 0x0080;
const WDIOF_MAGICCLOSE = 0x0100;

/** How long a device check answers isHealthy before it is redone (in the background). */
const HEALTH_CHECK_MS = 1_000;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class LinuxWatchdogDevice implements WatchdogDevice {
  readonly isNull = false;
  protected fd: number | null = null;
  private support: WatchdogInfo | null = null;

  constructor(readonly device: string = DEFAULT_DEVICE) {}

  get isRunning(): boolean {
    return this.fd !== null;
  }

  /**
   * The device exists and is writable (Patroni's is_healthy). Every GET /patroni and health check
   * reports it, so only the first call checks synchronously; later ones answer from the last check
   * and redo it asynchronously once it is HEALTH_CHECK_MS old, keeping the event loop free of
   * file-system calls under a load balancer's polling.
   */
  get isHealthy(): boolean {
    const now = Date.now();
    if (this.health === null) {
      this.health = { ok: this.checkNow(), at: now, checking: false };
    } else if (now - this.health.at >= HEALTH_CHECK_MS && !this.health.checking) {
      const h = this.health;
      h.checking = true;
      access(this.device, constants.W_OK)
        .then(
          () => true,
          () => false,
        )
        .then(
          (ok) => {
            this.health = { ok, at: Date.now(), checking: false };
          },
          () => {
            h.checking = false;
          },
        );
    }
    return this.health.ok;
  }

  private health: { ok: boolean; at: number; checking: boolean } | null = null;

  private checkNow(): boolean {
    try {
      accessSync(this.device, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  open(): void {
    try {
      this.fd = openSync(this.device, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw new WatchdogError(`Can't open watchdog device: ${message(e)}`);
    }
  }

  close(): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, 'V');
    } catch (e) {
      throw new WatchdogError(`Error while closing ${this.describe()}: ${message(e)}`);
    } finally {
      try {
        closeSync(this.fd);
      } catch {
        /* already gone */
      }
      this.fd = null;
    }
  }

  canBeDisabled(): boolean {
    return (this.getSupport().options & WDIOF_MAGICCLOSE) !== 0;
  }

  keepalive(): void {
    this.write('1', 'Could not send watchdog keepalive');
  }

  hasSetTimeout(): boolean {
    return (this.getSupport().options & WDIOF_SETTIMEOUT) !== 0;
  }

  setTimeout(seconds: number): void {
    const t = Math.trunc(seconds);
    if (!(t > 0 && t < 0xffff)) throw new WatchdogError(`Invalid timeout ${t}. Supported values are between 1 and 65535`);
    this.ioctl((io, fd) => io.setTimeout(fd, t));
  }

  getTimeout(): number {
    return this.ioctl((io, fd) => io.getTimeout(fd));
  }

  getSupport(): WatchdogInfo {
    this.support ??= this.ioctl((io, fd) => io.getSupport(fd));
    return this.support;
  }

  describe(): string {
    const dev = this.device !== DEFAULT_DEVICE ? ` at ${this.device}` : '';
    let identity = 'Linux watchdog device';
    let ver = '';
    if (this.fd !== null) {
      try {
        const s = this.getSupport();
        identity = s.identity || identity;
        ver = s.firmwareVersion ? ` (firmware ${s.firmwareVersion})` : '';
      } catch {
        /* keep the generic name */
      }
    }
    return identity + ver + dev;
  }

  protected write(data: string, what: string): void {
    if (this.fd === null) throw new WatchdogError('Watchdog device is closed');
    try {
      const buf = Buffer.from(data);
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (e) {
      throw new WatchdogError(`${what}: ${message(e)}`);
    }
  }

  private ioctl<T>(call: (io: Exclude<ReturnType<typeof watchdogIoctl>, string>, fd: number) => T): T {
    if (this.fd === null) throw new WatchdogError('Watchdog device is closed');
    const io = watchdogIoctl();
    if (typeof io === 'string') throw new WatchdogError(io);
    try {
      return call(io, this.fd);
    } catch (e) {
      throw new WatchdogError(`${this.device}: ${message(e)}`);
    }
  }
}

/**
 * Patroni's `driver: testing`: the device is a named pipe read by a test harness; the timeout is
 * written as `Ctimeout=N\n` instead of an ioctl, keepalives and the magic close are plain writes.
 */
export class TestingWatchdogDevice extends LinuxWatchdogDevice {
  private timeout = 60;

  override getSupport(): WatchdogInfo {
    return { options: WDIOF_MAGICCLOSE | WDIOF_SETTIMEOUT, firmwareVersion: 0, identity: 'Watchdog test harness' };
  }

  override setTimeout(seconds: number): void {
    this.write(`Ctimeout=${seconds}\n`, 'Could not set watchdog timeout');
    this.timeout = seconds;
  }

  override getTimeout(): number {
    return this.timeout;
  }
}
