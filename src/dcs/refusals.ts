// The error convention every backend's writes keep (Patroni's `_run_and_handle_exceptions`): a refusal
// by the DCS (a failed compare, an existing key) is `false`, logged unless expected; an unreachable DCS
// is a DcsError; anything else unexpected is a DcsError too, because the HA loop must not guess.
import { log } from '../log/logger.js';
import { DcsError } from './dcs.js';

/** `refusal(e)`: null when `e` is no refusal, else whether to log it. */
export async function refusalAsFalse<T>(what: string, fn: () => Promise<T>, refusal: (e: unknown) => 'log' | 'quiet' | null): Promise<T | false> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DcsError) throw e;
    const kind = refusal(e);
    if (kind !== null) {
      if (kind === 'log') log.error('%s: %s', what, e instanceof Error ? e.message : String(e));
      return false;
    }
    throw new DcsError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
