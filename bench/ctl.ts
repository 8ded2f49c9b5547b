// `patronictl list` wall time with hyperfine: our bundled patronictl vs Debian's, same config file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TS_CTL, type TestCluster } from '../test/support/cluster/index.js';
import { writeCtlConfig } from '../test/support/ctl/run.js';
import { isObject, parseJson } from '../src/util/json.js';
import { recordMany, step, type SuiteContext } from './context.js';
import { cleanEnv, run } from './proc.js';

export function ctlCommand(ctx: SuiteContext, configPath: string): string[] {
  return ctx.impl === 'ts' ? [process.execPath, TS_CTL, '-c', configPath, 'list'] : ['/usr/bin/patronictl', '-c', configPath, 'list'];
}

/** Run times in ms from hyperfine's --export-json (pure). */
export function parseHyperfineTimes(jsonText: string): number[] {
  const doc = parseJson(jsonText);
  const first = isObject(doc) && Array.isArray(doc.results) ? doc.results[0] : undefined;
  const times = isObject(first) && Array.isArray(first.times) ? first.times : [];
  return times.flatMap((t) => (typeof t === 'number' ? [t * 1000] : []));
}

const quote = (arg: string): string => (/^[\w./:=@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export async function measureCtl(ctx: SuiteContext, cluster: TestCluster): Promise<void> {
  await step(ctx, `hyperfine patronictl list (${ctx.options.ctlRuns} runs)`, ['ctl_list'], async () => {
    const configPath = writeCtlConfig(cluster.dir, cluster.scope, ctx.etcd.hostPort);
    const argv = ctlCommand(ctx, configPath);
    const [cmd = '', ...args] = argv;
    // A wrong config would make both tools fail fast: check the table is really printed first.
    const once = await run(cmd, args, { env: cleanEnv(), timeoutMs: 60_000 });
    if (once.code !== 0 || !once.stdout.includes(cluster.scope)) {
      throw new Error(`patronictl list failed (exit ${once.code}): ${(once.stderr || once.stdout).trim().slice(0, 300)}`);
    }
    const out = join(cluster.dir, `hyperfine-${ctx.impl}.json`);
    const r = await run(
      'hyperfine',
      ['-N', '--style', 'none', '--warmup', '2', '--runs', String(ctx.options.ctlRuns), '--export-json', out, argv.map(quote).join(' ')],
      { env: cleanEnv(), timeoutMs: 600_000 },
    );
    if (r.code !== 0) throw new Error(`hyperfine exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
    const times = parseHyperfineTimes(readFileSync(out, 'utf8'));
    if (times.length === 0) throw new Error('hyperfine reported no run times');
    recordMany(ctx, 'ctl_list', times);
  });
}
