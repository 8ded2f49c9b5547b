// patronictl entry point: click's exit codes (0 ok, 1 command error, 2 usage error).
import { CommanderError } from 'commander';
import { log } from '../log/logger.js';
import { BadValue, usageError } from './cli.js';
import { CtlError, formatUsageError, UsageError } from './errors.js';
import { buildProgram } from './program.js';
import { Aborted } from './prompt.js';
import { enableTrace, trace } from '../util/trace.js';

function logLevel(env: NodeJS.ProcessEnv): 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL' {
  const v = (env.LOGLEVEL ?? env.PATRONI_LOGLEVEL ?? env.PATRONI_LOG_LEVEL ?? 'WARNING').toUpperCase();
  return v === 'DEBUG' || v === 'INFO' || v === 'ERROR' || v === 'CRITICAL' ? v : 'WARNING';
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  enableTrace(!!env.PATRONICTL_TRACE && env.PATRONICTL_TRACE !== '0');
  trace('modules loaded');
  log.configure({ level: logLevel(env), format: '%(asctime)s - %(levelname)s - %(message)s' });
  const program = buildProgram(env, (text) => process.stdout.write(text));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const err = e instanceof BadValue ? usageError(e.message) : e;
    if (err instanceof UsageError) {
      process.stderr.write(formatUsageError(err));
      return 2;
    }
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof Aborted) {
      process.stderr.write('Aborted!\n');
      return 1;
    }
    if (err instanceof CtlError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`Traceback (most recent call last):\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

process.on('SIGINT', () => {
  process.stderr.write('Aborted!\n');
  process.exit(1);
});
main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(String(e) + '\n');
    process.exitCode = 1;
  },
);
