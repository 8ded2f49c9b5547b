// postmaster.pid: the only reliable handle on a postmaster that the daemon started detached.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const first = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0] ?? '';
    const pid = Number.parseInt(first, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid of the running postmaster of dataDir. A SIGKILLed postmaster leaves a stale file, so the pid
 * must still be a live (not zombie: containers may lack a reaping init) postgres process.
 */
export function livePostmasterPid(dataDir: string): number | undefined {
  const pid = readPostmasterPid(dataDir);
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return state !== 'Z' && state !== 'X' && cmdline.includes('postgres') ? pid : undefined;
  } catch {
    return undefined;
  }
}
