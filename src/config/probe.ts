// Synchronous environment probes for the validator (Patroni's validator does blocking socket
// connects and runs `postgres --version`). Node has no synchronous connect, so TCP probes run in a
// short-lived child process, batched: one spawn for all addresses.
import { accessSync, constants, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

/** 'open': something accepts connections; 'closed': refused/unreachable; otherwise a resolver error. */
export type TcpState = 'open' | 'closed' | { error: string };

const PROBE_SCRIPT = `
const net = require('node:net');
const targets = JSON.parse(process.argv[1]);
const one = ([host, port]) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const done = (r) => { s.destroy(); resolve(r); };
  s.setTimeout(2000, () => done('closed'));
  s.on('connect', () => done('open'));
  s.on('error', (e) => done(e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? { error: e.message } : 'closed'));
});
Promise.all(targets.map(one)).then((r) => process.stdout.write(JSON.stringify(r)));
`;

/** Try to connect to each host:port; results in the same order. */
export function probeTcp(targets: Array<[string, number]>): TcpState[] {
  if (targets.length === 0) return [];
  const res = spawnSync(process.execPath, ['-e', PROBE_SCRIPT, JSON.stringify(targets)], { encoding: 'utf8', timeout: 15_000 });
  try {
    const parsed = JSON.parse(res.stdout) as TcpState[];
    if (Array.isArray(parsed) && parsed.length === targets.length) return parsed;
  } catch {
    // fall through: probing itself failed, report nothing rather than false problems
  }
  return targets.map(() => 'closed');
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** shutil.which: look a program up in `path` (a PATH-style list) or $PATH. */
export function which(program: string, path?: string): string | undefined {
  if (program.includes('/')) return isExecutableFile(program) ? program : undefined;
  const dirs = (path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, program);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Major version from `postgres --version` ("15", or "9.6" before 10), as Patroni's get_major_version. */
export function postgresMajorVersion(binary: string): string {
  const res = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (res.error) throw new Error(`[Errno 2] No such file or directory: '${binary}'`);
  const m = /^\S+ \S+ (\d+)(\.(\d+))?/.exec(res.stdout ?? '');
  if (!m) throw new Error(`unexpected output of '${binary} --version': ${String(res.stdout).trim()}`);
  const major = m[1] as string;
  return Number(major) < 10 ? `${major}.${m[3] ?? '0'}` : major;
}
