// `npm run chaos` / `node --import tsx chaos/run.ts [--seed N] [--short | --quick] ...` (as root).
//
// Two halves. The outer one (root namespace) builds the lab network, starts the inner half inside the
// ctl namespace (the only place from which the nodes are reachable: no address exists in the root
// namespace), and whatever happens -- success, failure, Ctrl-C, SIGTERM -- kills every process left in
// the lab's namespaces and deletes them. The inner half (driver.ts) runs the cluster and the faults.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drive, printReport } from './driver.js';
import { hostileMain } from './hostile/main.js';
import { canCreateNetns, createLab, destroyLab, destroyNetns, staleNetns } from './netns.js';
import { parseOptions, USAGE, type ChaosOptions } from './options.js';
import { driveStress, printStressReport } from './stress.js';
import { formatTable, summarize, type FaultResult } from './stats.js';
import { makeTopology, type Topology } from './topology.js';

const INNER_ENV = 'PTS_CHAOS_INNER';
const SELF = fileURLToPath(import.meta.url);

interface InnerContext {
  topology: Topology;
  workDir: string;
}

function options(): ChaosOptions {
  try {
    return parseOptions(process.argv.slice(2), Math.floor(Math.random() * 2 ** 31));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function outer(o: ChaosOptions): Promise<number> {
  if (!canCreateNetns()) {
    process.stderr.write('chaos: needs root (network namespaces); run as root: node --import tsx chaos/run.ts\n');
    return 2;
  }
  const stale = staleNetns();
  if (stale.length > 0) {
    process.stdout.write(`chaos: removing ${stale.length} namespace(s) left by an interrupted run\n`);
    destroyNetns(stale);
  }
  const topology = makeTopology(String(process.pid), o.nodes);
  const workDir = mkdtempSync(join(tmpdir(), `pts-chaos-${process.pid}-`));
  chmodSync(workDir, 0o755); // postgres must reach its node directories
  let passed = false;
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    destroyLab(topology);
    if (passed && !o.keep) rmSync(workDir, { recursive: true, force: true });
    else process.stdout.write(`chaos: logs and data kept in ${workDir}\n`);
  };
  process.on('exit', cleanup);
  process.stdout.write(`chaos: run ${process.pid} (namespaces ${topology.prefix}*), work dir ${workDir}\n`);
  createLab(topology);
  const ctx: InnerContext = { topology, workDir };
  const child = spawn(
    'ip',
    ['netns', 'exec', topology.ctl.netns, process.execPath, ...process.execArgv, SELF, ...process.argv.slice(2), '--seed', String(o.seed)],
    {
      stdio: 'inherit',
      env: { ...process.env, [INNER_ENV]: JSON.stringify(ctx) },
    },
  );
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      process.stdout.write(`\nchaos: ${signal}: stopping the run and removing the lab\n`);
      child.kill('SIGTERM');
      // The inner half prints what it has; the lab goes in any case, at the latest after a grace period.
      setTimeout(() => process.exit(code), 10_000).unref();
      child.once('exit', () => process.exit(code));
    });
  }
  const code = await new Promise<number>((res) => child.once('exit', (c) => res(c ?? 1)));
  passed = code === 0;
  cleanup();
  return code;
}

async function inner(o: ChaosOptions, ctx: InnerContext): Promise<number> {
  if (o.stress) {
    const report = await driveStress(o, ctx.topology, ctx.workDir);
    printStressReport(report);
    return report.violations.length === 0 ? 0 : 1;
  }
  const results: FaultResult[] = [];
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stdout.write(`\nchaos: interrupted (seed ${o.seed}); results so far:\n${formatTable(summarize(results))}\n`);
      process.exit(130);
    });
  }
  const report = await drive(o, ctx.topology, ctx.workDir, (r) => results.push(r));
  printReport(report);
  return report.violations === 0 ? 0 : 1;
}

const opts = options();
const innerEnv = process.env[INNER_ENV];
const run = opts.hostile ? hostileMain(opts) : innerEnv ? inner(opts, JSON.parse(innerEnv) as InnerContext) : outer(opts);
run.then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
