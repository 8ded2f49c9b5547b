// One slot for long work (bootstrap, clone, promote, start, rewind, demote), as Patroni's
// AsyncExecutor: the HA cycle keeps running, keeps the lease, and answers the API meanwhile.
// It owns the running task and the last outcome; decisions read them as input (HaInput.async,
// HaInput.lastAsync) and drop a seen outcome with `forget_async_outcome`.
import { log } from '../../log/logger.js';
import type { AsyncTask } from '../core/decision.js';
import type { AsyncOutcome, AsyncState } from '../core/input.js';
import { timerDelay } from '../../util/timers.js';

/** A task's result: success, failure, or the one failure the HA core treats apart (pre_promote). */
export type TaskResult = boolean | 'pre_promote_failed';

export class AsyncRunner {
  private running: AsyncState | null = null;
  private finished: AsyncOutcome | null = null;
  private done: Promise<boolean> | null = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly onDone: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  get current(): AsyncState | null {
    return this.running;
  }

  /** The last finished task's outcome, until forgotten (or replaced by a newer one). */
  get outcome(): AsyncOutcome | null {
    return this.finished;
  }

  /** Drop `seen` if it is still the last outcome (a newer one, not yet decided on, stays). */
  forget(seen: AsyncOutcome | null): void {
    if (seen && this.finished === seen) this.finished = null;
  }

  /** Start `work` for `task` unless busy; returns the busy task's name when refused. */
  run(task: AsyncTask, work: (signal: AbortSignal) => Promise<TaskResult>): string | null {
    if (this.running) return this.running.task.name;
    this.running = { task, startedAt: this.now() };
    const abort = new AbortController();
    this.abort = abort;
    this.done = work(abort.signal)
      .catch((e: unknown) => {
        log.error('Exception during execution of long running task %s: %s', task.name, e instanceof Error ? e.message : String(e));
        return false;
      })
      .then((result) => {
        const ok = result === true;
        this.running = null;
        this.abort = null;
        this.finished = { task, ok, ...(result === 'pre_promote_failed' ? { failure: 'pre_promote' as const } : {}) };
        this.onDone();
        return ok;
      });
    return null;
  }

  /**
   * AsyncExecutor.cancel: ask the running task to stop; the user scripts and tools it runs under the
   * signal are terminated (CancellableSubprocess.cancel). False when nothing runs.
   */
  cancel(): boolean {
    if (!this.abort) return false;
    log.info('Cancelling %s', this.running?.task.name ?? 'the running task');
    this.abort.abort();
    return true;
  }

  /** Wait for the running task: its result, or 'timeout' after timeoutMs. */
  async wait(timeoutMs: number): Promise<boolean | 'timeout'> {
    if (!this.done) return 'timeout';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timerDelay(timeoutMs));
    });
    try {
      return await Promise.race([this.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
