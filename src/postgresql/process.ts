// The postmaster as an OS process: postmaster.pid, liveness (kill -0 plus a look at /proc so a
// recycled pid is not mistaken for PostgreSQL), and pg_ctl start/stop/promote/reload wrappers.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runTool, type ToolResult } from './tools.js';

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

/** True when the pid is alive and (where /proc tells) is a postgres/postmaster process. */
export function isPostgresProcess(pid: number): boolean {
  if (!processExists(pid)) return false;
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
