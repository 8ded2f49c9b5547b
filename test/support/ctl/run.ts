// Runs patronictl (ours from the bundle, or Debian's) as a child process with optional stdin answers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TS_CTL } from '../cluster/index.js';

export interface CtlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCommand(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CtlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, PATRONICTL_CONFIG_FILE: '', DCS_URL: '', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    // A command that exits before reading its input (a usage error, say) closes the pipe: EPIPE here
    // is no test failure, the exit code and output tell what happened.
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Our patronictl from dist/ (run `npm run build` first). */
export function ours(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CtlResult> {
  if (!existsSync(TS_CTL)) throw new Error(`${TS_CTL} is missing: run \`npm run build\` first`);
  return runCommand(process.execPath, [TS_CTL, ...args], opts);
}

/** Debian's patronictl 3.0.2 (it knows no etcd3:// URL: give it a config file). */
export function debian(args: string[], opts: { input?: string } = {}): Promise<CtlResult> {
  return runCommand('/usr/bin/patronictl', args, { ...opts, env: { HOME: '/tmp' } });
}

/** A patronictl config file for a cluster on a test etcd, readable by both tools. */
export function writeCtlConfig(dir: string, scope: string, etcdHostPort: string): string {
  const path = join(dir, 'patronictl.yaml');
  writeFileSync(path, `scope: ${scope}\netcd3:\n  hosts: ${etcdHostPort}\n`);
  return path;
}

/** Member / Host / Role / State cells of each data row of a pretty member table. */
export function tableCells(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Member'))
    .map((l) =>
      l
        .split('|')
        .slice(1, 5)
        .map((x) => x.trim()),
    );
}

/** `patronictl list` succeeded and shows `members` rows with exactly `leader` in the Leader role. */
export function assertListShowsLeader(r: { code: number | null; stdout: string; stderr: string }, members: number, leader: string): void {
  assert.equal(r.code, 0, r.stderr);
  const rows = tableCells(r.stdout);
  assert.equal(rows.length, members, r.stdout);
  assert.deepEqual(
    rows.filter((row) => row[2] === 'Leader').map((row) => row[0]),
    [leader],
    r.stdout,
  );
}
