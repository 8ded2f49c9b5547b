#!/usr/bin/env node
// `npm test [-- FILE_OR_DIR...]`: unit tests (parallel files) then integration tests (one file at a time:
// each starts real clusters), with node's test runner and the spec reporter. PostgreSQL refuses to run
// as root, so as root the integration tests run as the `postgres` user, from a copy of the repo if
// postgres cannot read this one.
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_AS = 'postgres';

/** Every *.test.ts file under dir (sorted: a stable order makes logs comparable). */
function testFiles(path) {
  if (!existsSync(path)) throw new Error(`no such test file or directory: ${relative(ROOT, path)}`);
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => testFiles(join(path, e.name)));
}

function selectFiles(args) {
  const roots =
    args.length > 0
      ? args.map((a) => resolve(a))
      : [join(ROOT, 'test/unit'), join(ROOT, 'test/integration'), join(ROOT, 'test/root')].filter((p) => existsSync(p));
  const all = [...new Set(roots.flatMap(testFiles))].map((f) => relative(ROOT, f));
  const isIntegration = (f) => f.startsWith(`test${sep}integration${sep}`);
  const isRoot = (f) => f.startsWith(`test${sep}root${sep}`);
  return { unit: all.filter((f) => !isIntegration(f) && !isRoot(f)), integration: all.filter(isIntegration), root: all.filter(isRoot) };
}

/** The uid/gid of RUN_AS, read from `id` so this file needs no native modules. */
function userIds(user) {
  const id = (flag) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function canRead(user, root) {
  const probe = join(root, 'node_modules', 'tsx', 'package.json');
  return spawnSync('runuser', ['-u', user, '--', 'test', '-r', probe], { stdio: 'ignore' }).status === 0;
}

function chownTree(path, uid, gid) {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/** Runs node's test runner; returns its exit status and the counts from a TAP copy of the report. */
function runNodeTests(label, files, { concurrency, user, cwd, scratch }) {
  const tapFile = join(scratch, `${label}.tap`);
  const args = [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...(concurrency ? [`--test-concurrency=${concurrency}`] : []),
    ...files,
  ];
  console.log(`\n# ${label} tests: ${files.length} file(s)${user ? ` as ${user}` : ''}\n`);
  const [cmd, argv] = user ? ['runuser', ['-u', user, '--', 'env', `HOME=${scratch}`, process.execPath, ...args]] : [process.execPath, args];
  const r = spawnSync(cmd, argv, { cwd, stdio: 'inherit', env: process.env });
  return { status: r.status ?? 1, counts: tapCounts(tapFile) };
}

const COUNT_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'];

function tapCounts(tapFile) {
  const counts = {};
  const text = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  for (const m of text.matchAll(/^# (\w+) ([\d.]+)$/gm)) if (COUNT_KEYS.includes(m[1])) counts[m[1]] = Number(m[2]);
  return counts;
}

function main() {
  const { unit, integration, root } = selectFiles(process.argv.slice(2));
  if (unit.length + integration.length + root.length === 0) {
    console.error('no test files selected');
    return 1;
  }
  const asRoot = process.getuid?.() === 0;
  const scratch = mkdtempSync(join(tmpdir(), 'patroni-ts-test-'));
  const cleanups = [() => rmSync(scratch, { recursive: true, force: true })];
  try {
    const results = [];
    if (unit.length > 0) results.push(runNodeTests('unit', unit, { cwd: ROOT, scratch }));
    if (integration.length > 0) {
      let cwd = ROOT;
      let user;
      if (asRoot) {
        user = RUN_AS;
        const { uid, gid } = userIds(RUN_AS);
        chownSync(scratch, uid, gid);
        if (!canRead(RUN_AS, ROOT)) {
          // e.g. cloned under /root: postgres gets its own copy (with node_modules and dist, without .git).
          cwd = mkdtempSync(join(tmpdir(), 'patroni-ts-repo-'));
          cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
          console.log(`# ${RUN_AS} cannot read ${ROOT}: running integration tests from a copy in ${cwd}`);
          cpSync(ROOT, cwd, { recursive: true, filter: (src) => !/[\\/](\.git|\.demo)$/.test(src) });
          chownTree(cwd, uid, gid);
        }
      }
      results.push(runNodeTests('integration', integration, { concurrency: 1, user, cwd, scratch }));
    }
    // Tests that need root themselves (network namespaces for the fault-injection run); they start
    // PostgreSQL as postgres on their own.
    if (root.length > 0) results.push(runNodeTests('root', root, { concurrency: 1, cwd: ROOT, scratch }));
    const failed = results.some((r) => r.status !== 0);
    if (results.length > 1) {
      // Both phases ran: end the log with totals over all files, in node's summary format.
      console.log('\n# all test files (unit + integration)');
      for (const key of COUNT_KEYS) {
        console.log(`ℹ ${key} ${results.reduce((sum, r) => sum + (r.counts[key] ?? 0), 0)}`);
      }
    }
    return failed ? 1 : 0;
  } finally {
    for (const c of cleanups.reverse()) c();
  }
}

process.exitCode = main();
