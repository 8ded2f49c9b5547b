// Last-resort cleanup: whatever a test started (daemons, their postmasters, etcd) is killed when the
// test process exits or is interrupted, so a failed or aborted run never leaves a cluster behind.
import type { ChildProcess } from 'node:child_process';
import { livePostmasterPid } from './postmaster.js';

export interface Reapable {
  /** Synchronous, best-effort kill of everything this resource owns (runs inside 'exit'). */
  reap(): void;
}

const live = new Set<Reapable>();
let installed = false;

export function track(r: Reapable): () => void {
  install();
  live.add(r);
  return () => {
    live.delete(r);
  };
}

/** A child process tracked until it exits. */
export function trackChild(child: ChildProcess): void {
  const untrack = track({
    reap: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  });
  child.once('exit', untrack);
}

/** A data directory whose postmaster must not outlive the test (it is not our child: pg_ctl detaches it). */
export function trackDataDir(dataDir: string): () => void {
  return track({
    reap: () => {
      const pid = livePostmasterPid(dataDir);
      // SIGQUIT = immediate shutdown: the postmaster takes its backends down with it.
      if (pid !== undefined) signalQuietly(pid, 'SIGQUIT');
    },
  });
}

export function signalQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

function reapAll(): void {
  for (const r of [...live]) {
    try {
      r.reap();
    } catch {
      /* keep reaping the others */
    }
  }
  live.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', reapAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      reapAll();
      process.exit(code);
    });
  }
}
