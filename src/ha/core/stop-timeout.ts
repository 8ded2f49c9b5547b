// primary_stop_timeout (Ha.primary_stop_timeout): only in synchronous mode does a primary's shutdown
// get a deadline after which the postmaster is killed; elsewhere a stop waits as long as it takes.
import type { DynamicConfig } from '../../config/types.js';

export function primaryStopTimeout(config: DynamicConfig): number | undefined {
  const t = config.primary_stop_timeout;
  return t > 0 && config.synchronous_mode !== 'off' ? t : undefined;
}

/** The demote task's field: present only when a deadline applies. */
export function stopTimeout(config: DynamicConfig): { stopTimeout?: number } {
  const t = primaryStopTimeout(config);
  return t === undefined ? {} : { stopTimeout: t };
}
