// What is on disk at data_dir: nothing, something unreadable, or a cluster (PG_VERSION + pg_control).
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { majorVersionToNum } from './tools.js';

export type DataDirProbe = { kind: 'empty' } | { kind: 'inaccessible'; error: string } | { kind: 'present'; majorVersion: number };

/** Like Patroni: a dir holding only lost+found or hidden files counts as empty. */
function classify(entries: string[], majorVersion: () => number): DataDirProbe {
  const meaningful = entries.filter((f) => f !== 'lost+found' && !f.startsWith('.'));
  if (meaningful.length === 0) return { kind: 'empty' };
  // Not empty but maybe not a cluster: pg_controldata will tell (sysid null then).
  return { kind: 'present', majorVersion: majorVersion() };
}

function unreadable(e: unknown): DataDirProbe {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return { kind: 'empty' };
  return { kind: 'inaccessible', error: err.message };
}

export function probeDataDir(dataDir: string): DataDirProbe {
  if (existsSync(join(dataDir, 'global', 'pg_control'))) return { kind: 'present', majorVersion: readMajorVersion(dataDir) };
  let entries: string[];
  try {
    entries = readdirSync(dataDir);
  } catch (e) {
    return unreadable(e);
  }
  return classify(entries, () => readMajorVersion(dataDir));
}

/** probeDataDir without blocking the event loop (every cycle's snapshot). */
export async function probeDataDirAsync(dataDir: string): Promise<DataDirProbe> {
  const major = async () => {
    try {
      return majorVersionToNum(await readFile(join(dataDir, 'PG_VERSION'), 'utf8'));
    } catch {
      return 0;
    }
  };
  try {
    await access(join(dataDir, 'global', 'pg_control'));
    return { kind: 'present', majorVersion: await major() };
  } catch {
    /* not a cluster (yet): look at what is there */
  }
  let entries: string[];
  try {
    entries = await readdir(dataDir);
  } catch (e) {
    return unreadable(e);
  }
  const version = await major();
  return classify(entries, () => version);
}

/** readMajorVersion off the event loop (every cycle's slot work asks it). */
export async function readMajorVersionAsync(dataDir: string): Promise<number> {
  try {
    return majorVersionToNum(await readFile(join(dataDir, 'PG_VERSION'), 'utf8'));
  } catch {
    return 0;
  }
}

export function readMajorVersion(dataDir: string): number {
  try {
    return majorVersionToNum(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8'));
  } catch {
    return 0;
  }
}

/**
 * Where a data directory's WAL and tablespaces really live when they are symlinks (pg_wal outside
 * the data directory, `pg_tblspc/<oid>` links): Patroni's pg_wal_realpath / pg_tblspc_realpaths.
 */
export function linkedDirectories(dataDir: string): string[] {
  const out: string[] = [];
  const resolve = (link: string): void => {
    try {
      if (lstatSync(link).isSymbolicLink()) out.push(realpathSync(link));
    } catch {
      /* missing or dangling: nothing to clean */
    }
  };
  resolve(join(dataDir, 'pg_wal'));
  let spaces: string[] = [];
  try {
    spaces = readdirSync(join(dataDir, 'pg_tblspc'));
  } catch {
    /* no tablespaces */
  }
  for (const s of spaces) resolve(join(dataDir, 'pg_tblspc', s));
  return out;
}

/**
 * Empty the directory's contents, keeping the directory itself (its mode and ownership). A symlinked
 * pg_wal and tablespace directories are removed at their real place first, as Patroni's
 * remove_data_directory does: removing only the links would leave old WAL behind and tablespace
 * directories that pg_basebackup refuses because they are not empty.
 */
export function clearDirectory(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const target of linkedDirectories(dir)) rmSync(target, { recursive: true, force: true });
  for (const f of entries) rmSync(join(dir, f), { recursive: true, force: true });
}
