// The HA loop's clock: a cycle every loop_wait seconds, or at once when the DCS reports a change
// (watch events, PostgreSQL session loss wake it through dcs.wakeup()), and the status line a cycle
// that threw leaves behind.
import { log } from '../log/logger.js';
import { isSessionLoss } from '../postgresql/errors.js';
import { LibpqError } from '../postgresql/libpq.js';

const BLIND_RECHECK_MS = 200;
/** Followers wake half a second after the leader so they see its fresh update. */
const FOLLOWER_DELAY_MS = 500;

export interface LoopHost {
  stopping(): boolean;
  /** One cycle; never throws (cycleMessage). */
  cycle(): Promise<void>;
  loopWaitMs(): number;
  /** Another member holds the leader key and no task runs here. */
  followsLeader(): boolean;
  /** The postmaster looked alive but did not answer, and no task runs here. */
  blind(): boolean;
  /** Sleep up to `ms`; true when woken early by a change. */
  watch(ms: number): Promise<boolean>;
}

/** Run cycles until host.stopping(). */
export async function runLoop(host: LoopHost): Promise<void> {
  let nextRun = Date.now();
  let lastCycleBlind = false;
  while (!host.stopping()) {
    await host.cycle();
    if (host.stopping()) break;
    nextRun += host.loopWaitMs();
    const now = Date.now();
    if (nextRun <= now) {
      log.info('Loop time exceeded, rescheduling immediately.');
      nextRun = now;
      continue;
    }
    const extra = host.followsLeader() ? FOLLOWER_DELAY_MS : 0;
    // A postmaster that looked alive but did not answer is usually one still dying (SIGKILL: its
    // sessions drop before it is a zombie): look again shortly, once, instead of a loop_wait later.
    const blind = host.blind();
    const recheck = blind && !lastCycleBlind;
    lastCycleBlind = blind;
    const wait = nextRun - now + extra;
    const woken = await host.watch(recheck ? Math.min(wait, BLIND_RECHECK_MS) : wait);
    if (woken || recheck) nextRun = Date.now();
  }
}

/** Run one cycle and log its status line; a cycle that threw gets the line Patroni prints for it. */
export async function cycleMessage(cycle: () => Promise<string>): Promise<string> {
  try {
    const msg = await cycle();
    log.info(msg);
    return msg;
  } catch (e) {
    if (isSessionLoss(e) || e instanceof LibpqError) {
      // A shutdown, restart or demotion ended our session, or the server is not up yet: normal.
      const msg = 'Error communicating with PostgreSQL. Will try again later';
      log.info(msg);
      log.debug('PostgreSQL session: %s', e instanceof Error ? e.message : String(e));
      return msg;
    }
    // Ha.run_cycle: the traceback (as log.traceback_level says), then the cycle's status line.
    log.exception('Unexpected exception', e);
    const msg = 'Unexpected exception raised, please report it as a BUG';
    log.info(msg);
    return msg;
  }
}
