// Running PostgreSQL's command line tools: binary resolution (bin_dir + bin_name) and execFile
// with argument arrays (never a shell), returning exit code and output instead of throwing.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { PostgresqlConfig } from '../config/types.js';
import { childEnv } from '../util/child-env.js';
import { timerDelay } from '../util/timers.js';

export type ToolName = 'pg_ctl' | 'initdb' | 'pg_controldata' | 'pg_basebackup' | 'postgres' | 'pg_isready' | 'pg_rewind';

export function toolPath(pg: Pick<PostgresqlConfig, 'bin_dir' | 'bin_name'>, tool: ToolName): string {
  const name = pg.bin_name[tool] ?? tool;
  return pg.bin_dir ? join(pg.bin_dir, name) : name;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
  signal?: AbortSignal;
}

export function runTool(binary: string, args: string[], opts: RunOptions = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      {
        env: opts.env ?? childEnv(),
        timeout: timerDelay(opts.timeoutMs ?? 0),
        cwd: opts.cwd,
        maxBuffer: 16 * 1024 * 1024,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: err && code === -1 ? `${String(stderr)}${err.message}` : String(stderr) });
      },
    );
  });
}

/** `postgres (PostgreSQL) 15.8` -> 150000 style major version number; 0 when unknown. */
export function parseVersionOutput(text: string): number {
  const m = /\)\s+(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return 0;
  return majorVersionToNum(m[2] && Number(m[1]) < 10 ? `${m[1]}.${m[2]}` : (m[1] as string));
}

/** PG_VERSION contents (`15`, `9.6`) -> 150000 / 90600. */
export function majorVersionToNum(v: string): number {
  const [a, b] = v.trim().split('.');
  const major = Number.parseInt(a ?? '', 10);
  if (!Number.isFinite(major)) return 0;
  return major >= 10 ? major * 10000 : major * 10000 + (Number.parseInt(b ?? '0', 10) || 0) * 100;
}
