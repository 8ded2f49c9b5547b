// The reading end of Patroni's `testing` watchdog driver: a named pipe the daemon writes to. Like the
// harness of Patroni's own acceptance tests it records the timeout it was told, each keepalive, the
// magic close, and whether the timer would have fired (open, and no keepalive for longer than the timeout).
import { execFileSync } from 'node:child_process';
import { chownSync, closeSync, constants, openSync, readSync } from 'node:fs';

export class WatchdogHarness {
  private readonly fd: number;
  private readonly timer: NodeJS.Timeout;
  private buffer = '';
  /** Every `Ctimeout=N` written, in order. */
  readonly timeouts: number[] = [];
  pings = 0;
  closes = 0;
  open = false;
  lastPingAt = 0;
  triggered = false;
  /** When the timer fired (performance.now()), undefined while it has not. */
  triggeredAt: number | undefined;
  /** Called once when the timer fires: what a real device would do (reset the machine). */
  onTrigger: (() => void) | undefined;

  constructor(
    readonly path: string,
    owner?: { uid: number; gid: number },
  ) {
    execFileSync('mkfifo', ['-m', '0600', path]);
    if (owner) chownSync(path, owner.uid, owner.gid);
    // O_NONBLOCK: the pipe has a reader from now on, so the daemon's non-blocking open succeeds.
    this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.timer = setInterval(() => this.poll(), 100);
  }

  get timeout(): number | undefined {
    return this.timeouts.at(-1);
  }

  private poll(): void {
    const buf = Buffer.alloc(4096);
    for (;;) {
      let n = 0;
      try {
        n = readSync(this.fd, buf);
      } catch {
        break; // EAGAIN: nothing to read now
      }
      if (n <= 0) break;
      this.buffer += buf.subarray(0, n).toString();
    }
    this.consume();
    if (!this.triggered && this.open && this.timeout !== undefined && Date.now() - this.lastPingAt > this.timeout * 1000) {
      this.triggered = true;
      this.triggeredAt = performance.now();
      this.onTrigger?.();
    }
  }

  private consume(): void {
    while (this.buffer.length) {
      if (this.buffer.startsWith('C')) {
        const nl = this.buffer.indexOf('\n');
        if (nl < 0) return;
        const m = /^Ctimeout=(\d+)$/.exec(this.buffer.slice(0, nl));
        if (m) this.timeouts.push(Number(m[1]));
        this.buffer = this.buffer.slice(nl + 1);
        this.open = true;
        this.lastPingAt = Date.now();
        continue;
      }
      const c = this.buffer[0];
      this.buffer = this.buffer.slice(1);
      if (c === '1') {
        this.pings++;
        this.open = true;
        this.lastPingAt = Date.now();
      } else if (c === 'V') {
        this.closes++;
        this.open = false;
      }
    }
  }

  /** Forget the counters and a past trigger (the timeout in force stays). */
  reset(): void {
    this.pings = 0;
    this.closes = 0;
    this.triggered = false;
    this.triggeredAt = undefined;
  }

  close(): void {
    clearInterval(this.timer);
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
