// The patronictl command tree. Each command lives in commands/<name>.ts and registers itself here.
import { Command, Option } from 'commander';
import { clickify, trackSubcommands } from './cli.js';
import { registerDsn } from './commands/dsn.js';
import { registerHistory } from './commands/history.js';
import { registerList } from './commands/list.js';
import { registerShowConfig } from './commands/show-config.js';
import { CTL_VERSION, registerVersion } from './commands/version.js';
import { createRuntime } from './runtime.js';

export function buildProgram(env: NodeJS.ProcessEnv, out: (text: string) => void): Command {
  const program = new Command('patronictl')
    .usage('[OPTIONS] COMMAND [ARGS]...')
    .helpOption('--help', 'Show this message and exit.')
    .version(CTL_VERSION, '--version', 'Show the version and exit.')
    .option('-c, --config-file <path>', 'Configuration file')
    .option('-d, --dcs-url <url>', 'The DCS connect url')
    .addOption(new Option('--dcs <url>', 'Alias of --dcs-url').hideHelp())
    .option('-k, --insecure', 'Allow connections to SSL sites without certs');
  clickify(program, '');
  trackSubcommands(program);
  const rt = createRuntime(program, env, out);
  registerList(program, rt);
  registerShowConfig(program, rt);
  registerHistory(program, rt);
  registerDsn(program, rt);
  registerVersion(program, rt);
  return program;
}
