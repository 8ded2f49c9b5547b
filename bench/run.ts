// `npm run bench [-- --quick] [--backends etcd2,zookeeper,exhibitor] [--backends-only]`: our daemon and Debian's Patroni 3.0.2, 3-node clusters in turn against
// one etcd, under each timing profile; writes bench/results/<date>.json and .md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEtcd, type EtcdServer } from '../test/support/etcd.js';
import { TS_CTL, TS_DAEMON } from '../test/support/cluster/index.js';
import { track } from '../test/support/cluster/reaper.js';
import { describeEnvironment } from './environment.js';
import { IMPLS } from './metrics.js';
import { runBackendSuite } from './backends.js';
import { parseOptions, PROFILES } from './options.js';
import { progress } from './progress.js';
import { rerunAsPostgres } from './reexec.js';
import { reportJson, reportMarkdown } from './report.js';
import { ResultStore } from './results.js';
import { runScale } from './scale/run.js';
import { runHealthSuite, runSuite } from './suite.js';
import { runTrace } from './trace.js';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');

const fileStamp = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');

async function bench(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  for (const f of [TS_DAEMON, TS_CTL]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
  // Installs the harness reaper's SIGINT/SIGTERM/exit handlers before anything is started.
  track({ reap: () => undefined })();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg();
  progress(`benchmark${options.quick ? ' (--quick)' : ''}: profiles ${options.profiles.map((p) => p.name).join(', ')}, ${options.reps} repetition(s)`);
  const env = describeEnvironment();
  progress(
    `versions: ${Object.entries(env.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}`,
  );
  const store = new ResultStore();
  let etcd: EtcdServer | undefined;
  if (options.trace) {
    try {
      etcd = await startEtcd();
      console.log(`\n${await runTrace(etcd, options)}`);
    } finally {
      await etcd?.stop();
    }
    return 0;
  }
  try {
    etcd = await startEtcd();
    progress(`etcd at ${etcd.endpoint}`);
    if (options.scale) {
      for (const impl of IMPLS) await runScale({ impl, profile: PROFILES.fast, options, etcd, store });
    } else if (options.health) {
      for (const impl of IMPLS) await runHealthSuite({ impl, profile: PROFILES.fast, options, etcd, store });
    } else if (options.etcd3) {
      for (const profile of options.profiles) {
        for (const impl of IMPLS) await runSuite({ impl, profile, options, etcd, store });
      }
    }
    // The other backends under the fast profile, each on its own server, ours and Debian's in turn.
    for (const backend of options.backends) {
      for (const impl of IMPLS) await runBackendSuite({ impl, profile: PROFILES.fast, options, etcd, store }, backend);
    }
  } finally {
    await etcd?.stop();
  }
  const info = { startedAt, finishedAt: new Date().toISOString(), options, env, load: { start: loadAtStart, end: loadavg() } };
  const dir = resolve(options.resultsDir ?? RESULTS_DIR);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${fileStamp(startedAt)}${options.scale ? '-scale' : options.health ? '-health' : options.quick ? '-quick' : ''}`);
  const markdown = reportMarkdown(store, info);
  writeFileSync(`${base}.json`, `${JSON.stringify(reportJson(store, info), null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  console.log(`\n${markdown}`);
  if (!options.resultsDir) progress(`wrote ${base}.json and ${base}.md`);
  return 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (process.getuid?.() === 0) {
    parseOptions(argv); // reject bad options before anything starts
    return rerunAsPostgres(resolve(BENCH_DIR, '..'), argv, RESULTS_DIR);
  }
  return bench(argv);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  },
);
