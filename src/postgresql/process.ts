// The postmaster as an OS process: postmaster.pid, liveness (kill -0 plus a look at /proc so a
// recycled pid is not mistaken for PostgreSQL), and pg_ctl start/stop/promote/reload wrappers.
import { readFileSync, readdirSync, readlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runTool, type ToolResult } from './tools.js';
import { log } from '../log/logger.js';

export interface PidFile { pid: number; dataDir: string; port: number | null; socketDir: string | null }

export function parsePidFile(text: string): PidFile | null {
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const port = Number.parseInt(lines[3] ?? '', 10);
  return { pid, dataDir: lines[1] ?? '', port: Number.isInteger(port) ? port : null, socketDir: lines[4]?.trim() || null };
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

/** State `Z` (zombie) or `X` (dead) in /proc/<pid>/stat; false where /proc does not tell. */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
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
    if (comm === 'postgres' || comm === 'postmaster') return true;
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)(postgres|postmaster)$/.test(cmd);
  } catch {
    return true; // no /proc: trust kill -0
  }
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
  return pids.filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/cwd`) === dataDir;
    } catch {
      return false;
    }
  }).map(Number);
}

export async function waitForOrphans(dataDir: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (orphanedBackends(dataDir).length > 0) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * A postmaster.pid whose postmaster is dead (or a zombie nobody reaped: PostgreSQL's own check,
 * kill -0, would take it for alive and refuse to start) and whose children are all gone is stale:
 * remove it, and the socket lock files in `socketDirs` that name the same dead pid (they would stop
 * the start, and pg_rewind's single-user recovery, the same way). Returns the dead pid, or null.
 */
export function removeStaleLocks(dataDir: string, socketDirs: string[]): number | null {
  const pf = readPidFile(dataDir);
  if (!pf || isPostgresProcess(pf.pid) || orphanedBackends(dataDir).length > 0) return null;
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

export interface PgCtl { binary: string; dataDir: string; timeoutSec: number }

export function pgCtlStart(c: PgCtl, options: string[], logFile: string): Promise<ToolResult> {
  return runTool(c.binary, ['start', '-D', c.dataDir, '-w', '-t', String(c.timeoutSec), '-l', logFile, '-o', options.map(shellQuote).join(' ')],
    { timeoutMs: (c.timeoutSec + 30) * 1000 });
}

export function pgCtlStop(c: PgCtl, mode: 'fast' | 'immediate' | 'smart'): Promise<ToolResult> {
  return runTool(c.binary, ['stop', '-D', c.dataDir, '-m', mode, '-w', '-t', String(c.timeoutSec)], { timeoutMs: (c.timeoutSec + 30) * 1000 });
}

export function pgCtlPromote(c: PgCtl): Promise<ToolResult> {
  return runTool(c.binary, ['promote', '-D', c.dataDir, '-w', '-t', String(c.timeoutSec)], { timeoutMs: (c.timeoutSec + 30) * 1000 });
}

export function pgCtlReload(c: PgCtl): Promise<ToolResult> {
  return runTool(c.binary, ['reload', '-D', c.dataDir], { timeoutMs: 30_000 });
}

/**
 * Postgresql._do_stop with primary_stop_timeout: wait `timeoutSec` for the stop, then an immediate
 * stop for as long again, then SIGKILL the postmaster and every process working in its data dir.
 */
export async function stopWithin(c: PgCtl, mode: 'fast' | 'immediate' | 'smart', timeoutSec: number): Promise<ToolResult> {
  const bounded = { ...c, timeoutSec };
  const first = await pgCtlStop(bounded, mode);
  if (first.code === 0 || !runningPostmaster(c.dataDir)) return first;
  log.warning('Timeout during postmaster stop, aborting Postgres.');
  if (mode !== 'immediate') {
    const second = await pgCtlStop(bounded, 'immediate');
    if (second.code === 0 || !runningPostmaster(c.dataDir)) return second;
  }
  log.warning('Sending SIGKILL to Postmaster and its children');
  for (const pid of orphanedBackends(c.dataDir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  const gone = await waitForOrphans(c.dataDir, 10_000);
  return { ...first, code: gone ? 0 : 1 };
}
