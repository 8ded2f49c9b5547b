// Node's timers hold at most 2^31-1 ms (~24.8 days): a longer delay (or NaN) fires after 1 ms with
// only a warning. ttl and friends come from the DCS (PATCH /config {"ttl": 3000000} is 34 days), so
// every delay derived from outside goes through here.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay Node will honour: NaN/negative -> 0, beyond the limit -> the limit. Only for waits that may end early harmlessly. */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

export interface LongTimer {
  clear(): void;
}

/**
 * setTimeout for any delay: one beyond the limit is chained in steps, so it never fires early. For
 * timers whose firing early does harm (the lease fence). Unref'd: it never keeps the process alive.
 */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  let remaining = Number.isNaN(ms) ? 0 : Math.max(0, ms);
  let timer: NodeJS.Timeout | null = null;
  const schedule = (): void => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    timer = setTimeout(() => {
      remaining -= step;
      if (remaining > 0) schedule();
      else {
        timer = null;
        fn();
      }
    }, step);
    timer.unref();
  };
  schedule();
  return {
    clear: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, timerDelay(ms)));
