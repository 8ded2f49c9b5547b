// The postmaster as an OS process: postmaster.pid, liveness (kill -0 plus a look at /proc so a
// recycled pid is not mistaken for PostgreSQL), and pg_ctl start/stop/promote/reload wrappers.
import { readFileSync, readdirSync, readlinkSync, unlinkSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool, type ToolResult } from './tools.js';
import { log } from '../log/logger.js';

export interface PidFile {
  pid: number;
  dataDir: string;
  port: number | null;
  socketDir: string | null;
  /** Line 8 (PostgreSQL 10+): starting, stopping, ready or standby; null when not written yet. */
  status: string | null;
}

export function parsePidFile(text: string): PidFile | null {
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const port = Number.parseInt(lines[3] ?? '', 10);
  return {
    pid,
    dataDir: lines[1] ?? '',
    port: Number.isInteger(port) ? port : null,
    socketDir: lines[4]?.trim() || null,
    status: lines[7]?.trim() || null,
  };
}

export function readPidFile(dataDir: string): PidFile | null {
  try {
    return parsePidFile(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8'));
  } catch {
    return null;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** State `Z` (zombie) or `X` (dead) in the text of /proc/<pid>/stat. */
function zombieInStat(stat: string): boolean {
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/** The command name in the text of /proc/<pid>/stat (`pid (comm) state ...`; comm may hold spaces and parentheses). */
export function commInStat(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

const isPostgresName = (comm: string, cmd: string): boolean => comm === 'postgres' || comm === 'postmaster' || /(^|\/)(postgres|postmaster)$/.test(cmd);

/** State `Z` (zombie) or `X` (dead) in /proc/<pid>/stat; false where /proc does not tell. */
export function isZombie(pid: number): boolean {
  try {
    return zombieInStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** True when the pid is alive and (where /proc tells) is a postgres/postmaster process. */
export function isPostgresProcess(pid: number): boolean {
  if (!processExists(pid)) return false;
  // A killed postmaster lingers as a zombie until its parent (init, often not a reaping one in
  // containers) collects it; kill -0 still succeeds on it, so read its state too.
  if (isZombie(pid)) return false;
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return isPostgresName(comm, comm === 'postgres' || comm === 'postmaster' ? '' : (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''));
  } catch {
    return true; // no /proc: trust kill -0
  }
}

/** isPostgresProcess without blocking the event loop (the snapshot of every cycle and API refresh). */
export async function isPostgresProcessAsync(pid: number): Promise<boolean> {
  if (!processExists(pid)) return false;
  // One read of /proc/<pid>/stat tells both the state and the name (the same 15 characters as comm).
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no /proc: trust kill -0
  }
  if (zombieInStat(stat)) return false;
  const comm = commInStat(stat);
  if (comm === 'postgres' || comm === 'postmaster') return true;
  try {
    return isPostgresName(comm, (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? '');
  } catch {
    return true;
  }
}

/** runningPostmaster without blocking the event loop. */
export async function runningPostmasterAsync(dataDir: string): Promise<PidFile | null> {
  let pf: PidFile | null;
  try {
    pf = parsePidFile(await readFile(join(dataDir, 'postmaster.pid'), 'utf8'));
  } catch {
    return null;
  }
  return pf && (await isPostgresProcessAsync(pf.pid)) ? pf : null;
}

/**
 * Processes still working in this data dir (backends chdir into it): after a postmaster crash its
 * children linger a moment holding shared memory, and a start before they are gone fails.
 */
export function orphanedBackends(dataDir: string): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  return pids
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`) === dataDir;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** orphanedBackends without blocking the event loop (the API keeps answering while /proc is read). */
export async function orphanedBackendsAsync(dataDir: string): Promise<number[]> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const found = await Promise.all(
    pids.map(async (p) => {
      try {
        return (await readlink(`/proc/${p}/cwd`)) === dataDir ? Number(p) : null;
      } catch {
        return null;
      }
    }),
  );
  return found.filter((p): p is number => p !== null);
}

export async function waitForOrphans(dataDir: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await orphanedBackendsAsync(dataDir)).length > 0) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/**
 * A postmaster.pid whose postmaster is dead (or a zombie nobody reaped: PostgreSQL's own check,
 * kill -0, would take it for alive and refuse to start) and whose children are all gone is stale:
 * remove it, and the socket lock files in `socketDirs` that name the same dead pid (they would stop
 * the start, and pg_rewind's single-user recovery, the same way). Returns the dead pid, or null.
 */
export function removeStaleLocks(dataDir: string, socketDirs: string[], orphansChecked = false): number | null {
  const pf = readPidFile(dataDir);
  if (!pf || isPostgresProcess(pf.pid) || (!orphansChecked && orphanedBackends(dataDir).length > 0)) return null;
  const dirs = new Set([...(pf.socketDir ? [pf.socketDir] : []), ...socketDirs]);
  if (pf.port !== null) {
    for (const dir of dirs) {
      const lock = join(dir, `.s.PGSQL.${pf.port}.lock`);
      if (readLockPid(lock) === pf.pid) unlinkQuietly(lock);
    }
  }
  return unlinkQuietly(join(dataDir, 'postmaster.pid')) ? pf.pid : null;
}

function readLockPid(file: string): number | null {
  try {
    return Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return null;
  }
}

function unlinkQuietly(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The running postmaster of this data dir, or null. */
export function runningPostmaster(dataDir: string): PidFile | null {
  const pf = readPidFile(dataDir);
  return pf && isPostgresProcess(pf.pid) ? pf : null;
}

/** Quote one postmaster option for the shell pg_ctl runs the postmaster through. */
export const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export interface PgCtl {
  binary: string;
  dataDir: string;
  timeoutSec: number;
}

/**
 * `pg_ctl start -w`, answered as soon as the new postmaster's postmaster.pid says `ready` or
 * `standby` (what pg_ctl itself waits for, looked at every 10 ms instead of every 100 ms); pg_ctl's
 * own answer counts when it comes first (a failed start). pg_ctl then exits by itself.
 */
export async function pgCtlStart(c: PgCtl, options: string[], logFile: string): Promise<ToolResult> {
  const run = runTool(c.binary, ['start', '-D', c.dataDir, '-w', '-t', String(c.timeoutSec), '-l', logFile, '-o', options.map(shellQuote).join(' ')], {
    timeoutMs: (c.timeoutSec + 30) * 1000,
  });
  let settled = false;
  const ready = (async (): Promise<ToolResult | null> => {
    while (!settled) {
      const pf = readPidFile(c.dataDir);
      if (pf && (pf.status === 'ready' || pf.status === 'standby') && isPostgresProcess(pf.pid)) return { code: 0, stdout: '', stderr: '' };
      await new Promise((r) => setTimeout(r, 10));
    }
    return null;
  })();
  try {
    const first = await Promise.race([run, ready]);
    return first ?? (await run);
  } finally {
    settled = true;
  }
}

const STOP_SIGNALS = { smart: 'SIGTERM', fast: 'SIGINT', immediate: 'SIGQUIT' } as const;

/**
 * What `pg_ctl stop -m MODE -w` does (the mode's signal to the postmaster, then wait until it and its
 * postmaster.pid are gone), watched every 10 ms instead of pg_ctl's 100 ms and without spawning it.
 * 'gone' when stopped, 'timeout' when still running, 'no-postmaster' when there was none to signal.
 */
export async function signalStop(dataDir: string, mode: keyof typeof STOP_SIGNALS, timeoutMs: number): Promise<'gone' | 'timeout' | 'no-postmaster'> {
  const pf = runningPostmaster(dataDir);
  if (!pf) return 'no-postmaster';
  try {
    process.kill(pf.pid, STOP_SIGNALS[mode]);
  } catch {
    return 'no-postmaster';
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pidFile = readPidFile(dataDir);
    if (!isPostgresProcess(pf.pid) && (!pidFile || pidFile.pid !== pf.pid || !isPostgresProcess(pidFile.pid))) return 'gone';
    if (Date.now() > deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function pgCtlStop(c: PgCtl, mode: 'fast' | 'immediate' | 'smart'): Promise<ToolResult> {
  return runTool(c.binary, ['stop', '-D', c.dataDir, '-m', mode, '-w', '-t', String(c.timeoutSec)], { timeoutMs: (c.timeoutSec + 30) * 1000 });
}

/** Without -w: the caller watches pg_is_in_recovery() more often than pg_ctl's 100 ms would. */
export function pgCtlPromote(c: PgCtl): Promise<ToolResult> {
  return runTool(c.binary, ['promote', '-D', c.dataDir, '-W'], { timeoutMs: (c.timeoutSec + 30) * 1000 });
}

export function pgCtlReload(c: PgCtl): Promise<ToolResult> {
  return runTool(c.binary, ['reload', '-D', c.dataDir], { timeoutMs: 30_000 });
}

/**
 * Postgresql._do_stop with primary_stop_timeout: the stop gets `timeoutSec`, then an immediate stop as
 * long again (terminate_postmaster), then SIGKILL of the postmaster and every process working in its
 * data dir. True once the postmaster is gone.
 */
export async function stopWithin(dataDir: string, mode: keyof typeof STOP_SIGNALS, timeoutSec: number): Promise<boolean> {
  const first = await signalStop(dataDir, mode, timeoutSec * 1000);
  if (first !== 'timeout') return true;
  log.warning('Timeout during postmaster stop, aborting Postgres.');
  if (mode !== 'immediate' && (await signalStop(dataDir, 'immediate', timeoutSec * 1000)) !== 'timeout') return true;
  log.warning('Sending SIGKILL to Postmaster and its children');
  for (const pid of orphanedBackends(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  return waitForOrphans(dataDir, 10_000);
}
