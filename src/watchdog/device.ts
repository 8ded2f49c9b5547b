// A watchdog device as Patroni's WatchdogBase sees it: opened while this node leads, pinged on every
// successful leader-key update, closed with the magic 'V' when leadership ends cleanly. If the daemon
// stops pinging (frozen, swapped out, hung in the kernel) the device resets the machine.

export class WatchdogError extends Error {}

export interface WatchdogDevice {
  /** The stand-in used when no watchdog is configured or available. */
  readonly isNull: boolean;
  /** Opened and able to do its job. */
  readonly isRunning: boolean;
  /** Opening is expected to work (the device exists and is writable). */
  readonly isHealthy: boolean;
  /** close() really stops the timer (magic close supported). */
  canBeDisabled(): boolean;
  open(): void;
  close(): void;
  keepalive(): void;
  hasSetTimeout(): boolean;
  setTimeout(seconds: number): void;
  getTimeout(): number;
  describe(): string;
}

export class NullWatchdog implements WatchdogDevice {
  readonly isNull = true;
  readonly isRunning = false;
  readonly isHealthy = false;
  canBeDisabled(): boolean {
    return true;
  }
  open(): void {}
  close(): void {}
  keepalive(): void {}
  hasSetTimeout(): boolean {
    return false;
  }
  setTimeout(): void {
    throw new WatchdogError(`Setting timeout is not supported on ${this.describe()}`);
  }
  /** A big enough number not to matter (Patroni's NullWatchdog). */
  getTimeout(): number {
    return 1_000_000_000;
  }
  describe(): string {
    return 'NullWatchdog';
  }
}
