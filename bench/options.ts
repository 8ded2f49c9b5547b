// Command line of `npm run bench [-- --quick] [--results-dir DIR]` and the timing profiles (pure).
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

export interface BenchOptions {
  quick: boolean;
  /** Only print the step timeline of one bootstrap and one switchover of ours (bench/trace.ts). */
  trace: boolean;
  profiles: Profile[];
  /** Repetitions of each HA measurement (bootstrap, switchover, failovers). */
  reps: number;
  /** wrk run length per sample, and samples per endpoint. */
  wrkSeconds: number;
  wrkRuns: number;
  /** hyperfine runs of `patronictl list`. */
  ctlRuns: number;
  idleSeconds: number;
  /** Where the JSON and Markdown go (the root wrapper points the postgres child at a scratch dir). */
  resultsDir: string | undefined;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const trace = argv.includes('--trace');
  const dirAt = argv.indexOf('--results-dir');
  const resultsDir = dirAt >= 0 ? argv[dirAt + 1] : undefined;
  const known = ['--quick', '--trace', '--results-dir'];
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.includes(a) && argv[i - 1] !== '--results-dir');
  if (unknown.length > 0) throw new Error(`unknown option(s): ${unknown.join(' ')} (known: --quick, --trace, --results-dir DIR)`);
  return quick
    ? { quick, trace, profiles: [PROFILES.fast], reps: 1, wrkSeconds: 3, wrkRuns: 1, ctlRuns: 5, idleSeconds: 15, resultsDir }
    : { quick, trace, profiles: [PROFILES.fast, PROFILES.default], reps: 3, wrkSeconds: 10, wrkRuns: 3, ctlRuns: 20, idleSeconds: 60, resultsDir };
}
