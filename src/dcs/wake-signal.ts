// The HA loop's interruptible sleep: wakeup() cuts a pending wait short, or makes the next wait return
// at once when nobody is waiting (like Patroni's threading.Event, cleared after each watch).
import { timerDelay } from '../util/timers.js';

export class WakeSignal {
  private pending = false;
  private waiter: (() => void) | undefined;

  /** Resolves true when woken, false when the timeout passed. */
  wait(timeoutMs: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const finish = (woken: boolean) => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(woken);
      };
      const timer = setTimeout(() => finish(false), timerDelay(timeoutMs));
      this.waiter = () => finish(true);
    });
  }

  wakeup(): void {
    if (this.waiter) this.waiter();
    else this.pending = true;
  }
}
