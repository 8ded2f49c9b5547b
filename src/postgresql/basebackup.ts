// pg_basebackup into an empty data dir: 2 attempts 5 s apart, the dir emptied between attempts
// (only what this run put there: the caller guarantees it was empty to begin with).
import { mkdirSync } from 'node:fs';
import { log } from '../log/logger.js';
import { clearDirectory } from './datadir.js';
import { runTool } from './tools.js';

export interface BasebackupJob {
  binary: string;
  dataDir: string;
  /** --dbname connection string (no password; PGPASSFILE in env). */
  dsn: string;
  userOptions: string[];
  env: NodeJS.ProcessEnv;
  attempts?: number;
  /** Cancels the running pg_basebackup (and the retries). */
  signal?: AbortSignal;
  retryDelayMs?: number;
}

export async function runBasebackup(job: BasebackupJob): Promise<boolean> {
  const attempts = job.attempts ?? 2;
  for (let i = 0; i < attempts && !job.signal?.aborted; i++) {
    clearDirectory(job.dataDir);
    mkdirSync(job.dataDir, { recursive: true, mode: 0o700 });
    const res = await runTool(job.binary, [`--pgdata=${job.dataDir}`, '-X', 'stream', `--dbname=${job.dsn}`, ...job.userOptions], {
      env: job.env,
      ...(job.signal ? { signal: job.signal } : {}),
    });
    if (res.code === 0) return true;
    log.error('Error when fetching backup: pg_basebackup exited with code=%s', res.code);
    if (res.stderr.trim()) log.error('pg_basebackup: %s', res.stderr.trim());
    if (i < attempts - 1 && !job.signal?.aborted) {
      log.warning('Trying again in 5 seconds');
      await new Promise((r) => setTimeout(r, job.retryDelayMs ?? 5000));
    }
  }
  clearDirectory(job.dataDir);
  return false;
}
