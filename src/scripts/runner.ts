// Runs one user script (never through a shell) in its own process group, with the filtered child
// environment, its output logged line by line. Patroni's CancellableSubprocess kills a script and
// every child it started; a process group gives us the same reach without walking /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { log } from '../log/logger.js';
import { childEnv } from '../util/child-env.js';
import { pyList } from './commands.js';

export interface ScriptOptions {
  /** Added to the filtered daemon environment (PGPASSFILE, PGOPTIONS). */
  env?: Record<string, string>;
  /** Prefix of logged output lines; the program name by default. */
  label?: string;
}

export interface RunningScript {
  readonly argv: string[];
  /** Exit code; null when it could not start or died of a signal. */
  readonly exited: Promise<number | null>;
  running(): boolean;
  /** SIGKILL to the whole process group (the script and what it started). */
  kill(): void;
}

function logLines(stream: NodeJS.ReadableStream | null, label: string): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) log.info('%s: %s', label, l);
  });
  stream.on('end', () => {
    if (rest.trim()) log.info('%s: %s', label, rest);
  });
}

export function startScript(argv: string[], opts: ScriptOptions = {}): RunningScript {
  const [program, ...args] = argv;
  const label = opts.label ?? program ?? 'script';
  let child: ChildProcess | null = null;
  let alive = false;
  const exited = new Promise<number | null>((resolve) => {
    if (!program) {
      log.error('Failed to execute %s: empty command', pyList(argv));
      resolve(null);
      return;
    }
    try {
      child = spawn(program, args, { env: childEnv(opts.env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      log.error('Failed to execute %s: %s', pyList(argv), e instanceof Error ? e.message : String(e));
      resolve(null);
      return;
    }
    alive = true;
    logLines(child.stdout, label);
    logLines(child.stderr, label);
    child.on('error', (e) => {
      alive = false;
      log.error('Failed to execute %s: %s', pyList(argv), e.message);
      resolve(null);
    });
    child.on('exit', (code) => {
      alive = false;
      resolve(code);
    });
  });
  return {
    argv,
    exited,
    running: () => alive,
    kill: () => {
      const pid = (child as ChildProcess | null)?.pid;
      if (!alive || pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}

/** Run to completion (bootstrap and replica methods, pre_promote, before_stop): the exit code, null when it could not run. */
export function runScript(argv: string[], opts: ScriptOptions = {}, signal?: AbortSignal): Promise<number | null> {
  const s = startScript(argv, opts);
  if (signal) {
    const onAbort = () => {
      log.info('Terminating %s', pyList(argv));
      s.kill();
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      void s.exited.finally(() => signal.removeEventListener('abort', onAbort));
    }
  }
  return s.exited;
}
