// The daemon's command line (Patroni's process_arguments in patroni/__main__.py):
// `patroni [--version] [configfile]` and `patroni --validate-config [-i] [-p] [configfile]`. Parsing
// and validation return data/text; src/daemon/main.ts prints and exits.
import { stringify } from 'yaml';
import { PATRONI_VERSION } from '../version.js';
import { ConfigError } from './errors.js';
import { loadRawConfig } from './loader.js';
import { unsupportedSettings } from './support.js';
import { formatProblem, validateConfig } from './validate.js';

export type DaemonCommand =
  | { kind: 'run'; configFile?: string }
  | { kind: 'version' }
  | { kind: 'validate'; configFile?: string; ignoreListenPort: boolean; print: boolean }
  | { kind: 'error'; message: string };

export const USAGE = 'usage: patroni [-h] [--validate-config] [--version] [-i] [-p] [configfile]';

const MODES = ['--validate-config', '--generate-sample-config', '--generate-config'];

const usageError = (message: string): DaemonCommand => ({ kind: 'error', message: `${USAGE}\npatroni: error: ${message}` });

export function parseDaemonArgs(argv: string[]): DaemonCommand {
  const modes: string[] = [];
  const positional: string[] = [];
  let ignoreListenPort = false;
  let print = false;
  let version = false;
  let onlyPositional = false;
  for (const arg of argv) {
    if (onlyPositional || !arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (arg === '--') onlyPositional = true;
    else if (arg === '--version') version = true;
    else if (MODES.includes(arg)) modes.push(arg);
    else if (arg === '-i' || arg === '--ignore-listen-port') ignoreListenPort = true;
    else if (arg === '-p' || arg === '--print') print = true;
    else if (/^-[ip]{2,}$/.test(arg)) {
      ignoreListenPort ||= arg.includes('i');
      print ||= arg.includes('p');
    } else return usageError(`unrecognized arguments: ${arg}`);
  }
  // argparse handles --version as soon as it sees it.
  if (version) return { kind: 'version' };
  if (positional.length > 1) return usageError(`unrecognized arguments: ${positional.slice(1).join(' ')}`);
  if (modes.length > 1) return usageError(`argument ${modes[1]}: not allowed with argument ${modes[0]}`);
  const mode = modes[0];
  if (mode && mode !== '--validate-config') return usageError(`${mode} is not supported by this implementation`);
  const configFile = positional[0];
  if (mode === '--validate-config') return { kind: 'validate', ignoreListenPort, print, ...(configFile ? { configFile } : {}) };
  return { kind: 'run', ...(configFile ? { configFile } : {}) };
}

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `--validate-config`: problems one per line on stderr and exit 1; silent exit 0 when valid. */
export function runValidateConfig(cmd: Extract<DaemonCommand, { kind: 'validate' }>, env: NodeJS.ProcessEnv): CommandOutput {
  let raw;
  try {
    raw = loadRawConfig(cmd.configFile, env);
  } catch (e) {
    if (e instanceof ConfigError) return { exitCode: 1, stdout: '', stderr: `${e.message}\n` };
    throw e;
  }
  if (Object.keys(raw).length === 0) return { exitCode: 1, stdout: '', stderr: 'Config is empty.\n' };
  const stdout = cmd.print ? stringify(raw, { version: '1.1', sortMapEntries: true }) : '';
  const lines = [...validateConfig(raw, { ignoreListenPort: cmd.ignoreListenPort }).map(formatProblem), ...unsupportedSettings(raw).map((u) => u.line)];
  if (lines.length === 0) return { exitCode: 0, stdout, stderr: '' };
  return { exitCode: 1, stdout, stderr: lines.map((l) => `${l}\n`).join('') };
}

export { PATRONI_VERSION };
