// PostgreSQL refuses to run as root: as root, `npm run bench` re-runs itself as the postgres user (like
// scripts/test.mjs), with HOME and TMPDIR in a scratch dir that is deleted afterwards, so every temp file
// of an interrupted run goes too. Results are written to the scratch dir and copied into bench/results/.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_AS = 'postgres';

function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function canRead(user: string, root: string): boolean {
  const probe = join(root, 'node_modules', 'tsx', 'package.json');
  return spawnSync('runuser', ['-u', user, '--', 'test', '-r', probe], { stdio: 'ignore' }).status === 0;
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/** Runs `bench/run.ts args` as RUN_AS; resolves with its exit code once results are copied back. */
export async function rerunAsPostgres(repoRoot: string, args: readonly string[], resultsDir: string): Promise<number> {
  const { uid, gid } = userIds(RUN_AS);
  const scratch = mkdtempSync(join(tmpdir(), 'patroni-ts-bench-'));
  const childResults = join(scratch, 'results');
  const childTmp = join(scratch, 'tmp');
  mkdirSync(childResults);
  mkdirSync(childTmp);
  let cwd = repoRoot;
  if (!canRead(RUN_AS, repoRoot)) {
    cwd = join(scratch, 'repo');
    console.log(`[bench] ${RUN_AS} cannot read ${repoRoot}: running from a copy in ${cwd}`);
    cpSync(repoRoot, cwd, { recursive: true, filter: (src) => !/[\\/](\.git|\.demo)$/.test(src) });
  }
  chownTree(scratch, uid, gid);
  // The soft open-files limit raised to the hard one (runuser's session starts at 1024): `--scale` holds a
  // watch stream per simulated member, 3,000 sockets at 1,000 clusters, and etcd as many.
  const child = spawn(
    'runuser',
    [
      '-u',
      RUN_AS,
      '--',
      'sh',
      '-c',
      'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"',
      'sh',
      'env',
      `HOME=${scratch}`,
      `TMPDIR=${childTmp}`,
      process.execPath,
      '--import',
      'tsx',
      join(cwd, 'bench/run.ts'),
      ...args,
      '--results-dir',
      childResults,
    ],
    { cwd, stdio: 'inherit' },
  );
  // A terminal's ^C reaches the child directly; a signal sent to this process alone is passed on.
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const code = await new Promise<number>((resolve) => child.once('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  for (const [s, h] of handlers) process.off(s, h);
  try {
    mkdirSync(resultsDir, { recursive: true });
    for (const f of readdirSync(childResults)) {
      cpSync(join(childResults, f), join(resultsDir, f));
      console.log(`[bench] wrote ${join(resultsDir, f)}`);
    }
  } finally {
    removeScratch(scratch);
  }
  return code;
}

function removeScratch(dir: string): void {
  // Same switch as the test harness: keep node logs and data dirs for a post-mortem.
  if (process.env.KEEP_TEST_DIRS) {
    console.log(`[bench] KEEP_TEST_DIRS is set: kept ${dir}`);
    return;
  }
  // A postmaster killed by the child's reaper may still be exiting: retry a little.
  for (let attempt = 0; attempt < 5 && existsSync(dir); attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      spawnSync('sleep', ['1']);
    }
  }
}
