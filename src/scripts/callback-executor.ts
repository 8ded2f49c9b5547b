// Patroni's CallbackExecutor: callbacks never block the HA cycle and run one at a time. A new
// callback kills the one still running (with its children) and starts once it is gone; only the
// latest waiting callback runs. on_reload has its own slot (OnReloadExecutor): a new on_reload
// kills the previous on_reload only.
import { log } from '../log/logger.js';
import { pyList } from './commands.js';
import { startScript, type RunningScript, type ScriptOptions } from './runner.js';

type Starter = (argv: string[], opts?: ScriptOptions) => RunningScript;

export class CallbackExecutor {
  private current: RunningScript | null = null;
  private next: string[] | null = null;
  private reload: RunningScript | null = null;

  constructor(private readonly start: Starter = startScript) {}

  /** `argv` ends with `action role scope`, as Postgresql.call_nowait builds it. */
  call(argv: string[]): void {
    if (argv[argv.length - 3] === 'on_reload') {
      if (this.reload?.running()) {
        log.warning('Killed %s because it was still running', pyList(this.reload.argv));
        this.reload.kill();
      }
      this.reload = this.start(argv);
      return;
    }
    this.next = argv;
    const running = this.current;
    if (running?.running()) {
      log.warning('Killed %s because it was still running', pyList(running.argv));
      running.kill();
      return; // started from the exit handler below
    }
    this.pump();
  }

  private pump(): void {
    const argv = this.next;
    if (!argv) return;
    this.next = null;
    const s = this.start(argv);
    this.current = s;
    void s.exited.then(() => {
      if (this.current === s) this.current = null;
      this.pump();
    });
  }

  /** For tests and shutdown: whether any callback still runs. */
  busy(): boolean {
    return Boolean(this.current?.running() || this.reload?.running());
  }
}
