// click-style prompts on stdin/stdout (click.prompt, click.confirm): `<text> [<default>]: ` and
// `<text> [y/N]: `. Works with a terminal or a pipe (one answer per line); EOF aborts like click
// (`Aborted!`, exit 1).
import { createInterface, type Interface } from 'node:readline';

/** click.Abort: printed as `Aborted!`, exit 1. */
export class Aborted extends Error {
  override readonly name = 'Aborted';
}

export interface Prompter {
  /** `default` undefined: no default shown, an empty answer asks again. */
  prompt(text: string, opts?: { default?: string; hidden?: boolean }): Promise<string>;
  confirm(text: string): Promise<boolean>;
  close(): void;
}

/** Lines of a stream, read on demand; null once the stream has ended. */
class LineSource {
  private rl: Interface | undefined;
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | undefined;
  private ended = false;

  constructor(private readonly input: NodeJS.ReadableStream) {}

  next(): Promise<string | null> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    this.open().resume();
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  private open(): Interface {
    if (this.rl) return this.rl;
    const rl = createInterface({ input: this.input, terminal: false });
    rl.on('line', (line) => this.deliver(line));
    rl.on('close', () => {
      this.ended = true;
      this.deliver(null);
    });
    this.rl = rl;
    return rl;
  }

  private deliver(line: string | null): void {
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w(line);
      // Between prompts stdin must not keep the process alive.
      if (line !== null) this.rl?.pause();
    } else if (line !== null) this.lines.push(line);
  }

  close(): void {
    this.rl?.close();
    if ('unref' in this.input && typeof this.input.unref === 'function') this.input.unref();
  }
}

/** Reads a line with echo off from a TTY (password prompts). */
function readHidden(stdin: NodeJS.ReadStream): Promise<string | null> {
  return new Promise((resolve) => {
    let text = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (v: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
      resolve(v);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(text);
        if (ch === '\u0003' || ch === '\u0004') return done(null);
        text = ch === '\u007f' || ch === '\b' ? text.slice(0, -1) : text + ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function createPrompter(stdin: NodeJS.ReadStream, write: (text: string) => void): Prompter {
  const source = new LineSource(stdin);
  const ask = async (text: string, hidden = false): Promise<string> => {
    write(text);
    const line = hidden && stdin.isTTY ? await readHidden(stdin) : await source.next();
    if (line === null) throw new Aborted('Aborted!');
    return line;
  };
  return {
    async prompt(text, opts = {}) {
      const suffix = opts.default !== undefined ? ` [${opts.default}]: ` : ': ';
      for (;;) {
        const answer = await ask(text + suffix, opts.hidden);
        if (answer !== '') return answer;
        if (opts.default !== undefined) return opts.default;
      }
    },
    async confirm(text) {
      for (;;) {
        const answer = (await ask(`${text} [y/N]: `)).trim().toLowerCase();
        if (answer === 'y' || answer === 'yes') return true;
        if (answer === 'n' || answer === 'no' || answer === '') return false;
        write('Error: invalid input\n');
      }
    },
    close: () => source.close(),
  };
}
