// click's two error kinds: a command failure (`Error: ...`, exit 1) and a usage error (exit 2, with the
// command's usage line first).
export class CtlError extends Error {
  override readonly name = 'CtlError';
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** `usage` is the text after `Usage: `; `command` the words to repeat in the `--help` hint. */
  constructor(
    message: string,
    readonly usage: string,
    readonly command: string,
  ) {
    super(message);
  }
}

export function formatUsageError(e: UsageError): string {
  return `Usage: ${e.usage}\nTry '${e.command} --help' for help.\n\nError: ${e.message}\n`;
}
