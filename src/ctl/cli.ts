// click conventions on top of commander: usage errors exit 2 with
// `Usage: ...` / `Try '... --help' for help.` / `Error: ...`; option values validated click-style.
import { Command, CommanderError } from 'commander';
import { UsageError } from './errors.js';

/** A bad option value found while parsing: becomes a UsageError of the command being parsed. */
export class BadValue extends Error {
  override readonly name = 'BadValue';
}

const usages = new Map<string, string>();
let current = '';

export const ROOT_USAGE = 'patronictl [OPTIONS] COMMAND [ARGS]...';

export function usageError(message: string, command = current): UsageError {
  const full = command ? `patronictl ${command}` : 'patronictl';
  return new UsageError(message, usages.get(command) ?? ROOT_USAGE, full);
}

function fromCommander(err: CommanderError, command: string): UsageError | CommanderError {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'commander.unknownOption':
      return usageError(`No such option: ${quoted}`, command);
    case 'commander.optionMissingArgument':
      return usageError(`Option '${quoted.split(/[ ,]/)[0]}' requires an argument.`, command);
    case 'commander.missingArgument':
      return usageError(`Missing argument '${quoted.toUpperCase()}'.`, command);
    case 'commander.unknownCommand':
      return usageError(`No such command '${quoted}'.`, '');
    default:
      return err;
  }
}

/** Route commander's own errors through click's format instead of printing them. */
export function clickify(cmd: Command, name: string): Command {
  return cmd.configureOutput({ writeErr: () => undefined, outputError: () => undefined }).exitOverride((err) => {
    throw fromCommander(err, name);
  });
}

/** A subcommand with click-style usage; `usage` is what follows `patronictl <name> `. */
export function defineCommand(program: Command, name: string, usage: string, description: string): Command {
  usages.set(name, `patronictl ${name} ${usage}`);
  const cmd = program.command(name).description(description).helpOption('--help', 'Show this message and exit.');
  cmd.hook('preAction', () => {
    current = name;
  });
  return clickify(cmd, name);
}

/** Mark the command being parsed (option parsers run before preAction). */
export function trackSubcommands(program: Command): void {
  program.hook('preSubcommand', (_root, sub) => {
    current = sub.name();
  });
}

export function choice(label: string, choices: readonly string[]): (v: string) => string {
  return (v) => {
    if (choices.includes(v)) return v;
    throw new BadValue(`Invalid value for ${label}: '${v}' is not one of ${choices.map((c) => `'${c}'`).join(', ')}.`);
  };
}

export function integer(label: string): (v: string) => number {
  return (v) => {
    if (/^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
    throw new BadValue(`Invalid value for ${label}: '${v}' is not a valid integer.`);
  };
}

export function float(label: string): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() !== '' && Number.isFinite(n)) return n;
    throw new BadValue(`Invalid value for ${label}: '${v}' is not a valid float.`);
  };
}

/** click rejects surplus positional arguments; commander keeps them in `args`. */
export function checkExtraArgs(args: string[], max: number): void {
  const extra = args.slice(max);
  if (extra.length > 0) throw usageError(`Got unexpected extra argument${extra.length > 1 ? 's' : ''} (${extra.join(' ')})`);
}
