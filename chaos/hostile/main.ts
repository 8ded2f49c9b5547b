// Entry of `npm run chaos -- --hostile [--seed N] [--requests N] [--json FILE] [--keep]`. As root it
// re-runs itself as postgres (PostgreSQL refuses root); no network namespaces are needed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChaosOptions } from '../options.js';
import { formatHostileReport, runHostile } from './campaign.js';

const SELF = fileURLToPath(import.meta.url);
const RUN_AS = 'postgres';

export async function hostileMain(o: ChaosOptions): Promise<number> {
  if (process.getuid?.() === 0) {
    const args = ['-u', RUN_AS, '--', process.execPath, ...process.execArgv, SELF, JSON.stringify(o)];
    const child = spawn('runuser', args, { stdio: 'inherit' });
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => child.kill(s));
    return new Promise((res) => child.once('exit', (c) => res(c ?? 1)));
  }
  const report = await runHostile({ seed: o.seed, requests: o.requests, concurrency: 16, keep: o.keep });
  process.stdout.write(`${formatHostileReport(report)}\n`);
  if (o.jsonPath) writeFileSync(o.jsonPath, JSON.stringify(report, null, 2));
  return report.violations.length === 0 ? 0 : 1;
}

if (process.argv[1] === SELF) {
  const o = JSON.parse(process.argv[2] ?? '{}') as ChaosOptions;
  hostileMain(o).then(
    (c) => process.exit(c),
    (e: unknown) => {
      process.stderr.write(`chaos --hostile: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
