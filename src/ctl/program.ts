// The patronictl command tree. Each command lives in commands/<name>.ts and registers itself here.
import { Command, Option } from 'commander';
import { clickify, trackSubcommands } from './cli.js';
import { registerClusterRole } from './commands/cluster-role.js';
import { registerConfigure } from './commands/configure.js';
import { registerDsn } from './commands/dsn.js';
import { registerEditConfig } from './commands/edit-config.js';
import { registerExplain } from './commands/explain.js';
import { registerFlush } from './commands/flush.js';
import { registerHistory } from './commands/history.js';
import { registerList } from './commands/list.js';
import { registerPause } from './commands/pause.js';
import { registerQuery } from './commands/query.js';
import { registerReinit } from './commands/reinit.js';
import { registerReload } from './commands/reload.js';
import { registerRemove } from './commands/remove.js';
import { registerRestart } from './commands/restart.js';
import { registerScaffold } from './commands/scaffold.js';
import { registerShowConfig } from './commands/show-config.js';
import { registerSwitchover } from './commands/switchover.js';
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
    .option('-k, --insecure', 'Allow connections to SSL sites without certs')
    // Global options go before the command (click): lets `configure -c FILE` have its own -c.
    .enablePositionalOptions();
  clickify(program, '');
  trackSubcommands(program);
  const rt = createRuntime(program, env, out);
  registerConfigure(program, env, out);
  registerDsn(program, rt);
  registerEditConfig(program, rt, env);
  registerExplain(program, rt);
  registerSwitchover(program, rt);
  registerClusterRole(program, rt);
  registerFlush(program, rt);
  registerHistory(program, rt);
  registerList(program, rt);
  registerPause(program, rt);
  registerQuery(program, rt);
  registerReinit(program, rt);
  registerReload(program, rt);
  registerRemove(program, rt);
  registerRestart(program, rt);
  registerScaffold(program, rt);
  registerShowConfig(program, rt);
  registerVersion(program, rt);
  return program;
}
