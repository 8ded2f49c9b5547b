// Command line of `npm run bench [-- --quick] [--results-dir DIR] [--backends LIST] [--backends-only]`
// and the timing profiles (pure).
import { ALL_BACKENDS, type BackendName } from '../test/support/dcs-servers.js';
export interface Profile {
  name: 'default' | 'fast';
  ttl: number;
  loopWait: number;
  retryTimeout: number;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  default: { name: 'default', ttl: 30, loopWait: 10, retryTimeout: 10 },
  // The smallest ttl Patroni's validator accepts is 20; loop_wait + 2 * retry_timeout <= ttl.
  fast: { name: 'fast', ttl: 20, loopWait: 2, retryTimeout: 5 },
};

export interface ScaleOptions {
  /** Members of the large cluster (--members, default 15). */
  members: number;
  /** Simulated 3-member clusters on one etcd (--clusters, default 1000). */
  clusters: number;
  /** Steady-state traffic recorded from one real cluster (--record-seconds, default 60). */
  recordSeconds: number;
  /** Length of the replay (--replay-seconds, default 60). */
  replaySeconds: number;
}

export interface BenchOptions {
  quick: boolean;
  /** Only print the step timeline of one bootstrap and one switchover of ours (bench/trace.ts). */
  trace: boolean;
  /** Only the health-checks-under-load row (bench/health-load.ts), ours and Debian's, fast profile. */
  health: boolean;
  /** `--scale`: the large-cluster and many-clusters-on-one-etcd rows (bench/scale/), fast profile. */
  scale: ScaleOptions | undefined;
  profiles: Profile[];
  /** Repetitions of each HA measurement (bootstrap, switchover, failovers). */
  reps: number;
  /** wrk run length per sample, and samples per endpoint. */
  wrkSeconds: number;
  wrkRuns: number;
  /** hyperfine runs of `patronictl list`. */
  ctlRuns: number;
  idleSeconds: number;
  /** Other DCS backends measured after the etcd v3 suites (fast profile only). */
  backends: BackendName[];
  /** false with --backends-only: skip the etcd v3 suites. */
  etcd3: boolean;
  /** Where the JSON and Markdown go (the root wrapper points the postgres child at a scratch dir). */
  resultsDir: string | undefined;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const trace = argv.includes('--trace');
  const health = argv.includes('--health');
  const optionValue = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const resultsDir = optionValue('--results-dir');
  const backendsArg = optionValue('--backends');
  const withValue = ['--results-dir', '--backends', '--members', '--clusters', '--record-seconds', '--replay-seconds'];
  const known = ['--quick', '--trace', '--health', '--scale', '--backends-only', ...withValue];
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.includes(a) && !withValue.includes(argv[i - 1] ?? ''));
  if (unknown.length > 0)
    throw new Error(
      `unknown option(s): ${unknown.join(' ')} (known: --quick, --trace, --health, --scale [--members N --clusters N --record-seconds S --replay-seconds S], --results-dir DIR, --backends etcd2,zookeeper,exhibitor, --backends-only)`,
    );
  const int = (flag: string, fallback: number, min: number): number => {
    const v = optionValue(flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}`);
    return n;
  };
  const scale: ScaleOptions | undefined = argv.includes('--scale')
    ? {
        members: int('--members', 15, 3),
        clusters: int('--clusters', 1000, 1),
        recordSeconds: int('--record-seconds', 60, 5),
        replaySeconds: int('--replay-seconds', 60, 5),
      }
    : undefined;
  const backends =
    backendsArg === undefined
      ? quick || health || scale
        ? []
        : [...ALL_BACKENDS]
      : backendsArg
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean);
  const bad = backends.filter((b) => !(ALL_BACKENDS as readonly string[]).includes(b));
  if (bad.length > 0) throw new Error(`unknown backend(s): ${bad.join(', ')} (known: ${ALL_BACKENDS.join(', ')})`);
  const common = { trace, health, scale, resultsDir, backends: backends as BackendName[], etcd3: !argv.includes('--backends-only') };
  // --health and --scale measure under the fast profile only.
  const profiles = quick || health || scale ? [PROFILES.fast] : [PROFILES.fast, PROFILES.default];
  return quick
    ? { quick, profiles, reps: 1, wrkSeconds: 3, wrkRuns: 1, ctlRuns: 5, idleSeconds: 15, ...common }
    : { quick, profiles, reps: 3, wrkSeconds: 10, wrkRuns: 3, ctlRuns: 20, idleSeconds: 60, ...common };
}
