// A daemon's stdout+stderr go to a log file (kept for post-mortems) and the last lines stay in memory
// so a timed-out wait can show what the node was saying.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

export const BUG_MARK = 'please report it as a BUG';

export class LogCapture {
  private readonly lines: string[] = [];
  /** Lines a daemon logs only for a defect (Patroni's run_cycle catch-all); any one fails the test. */
  readonly bugLines: string[] = [];
  private partial = '';
  private readonly file: WriteStream;

  constructor(
    path: string,
    private readonly keep = 300,
  ) {
    this.file = createWriteStream(path, { flags: 'a' });
    // The file is a post-mortem aid: losing it (its directory removed under load) must not fail a test.
    this.file.on('error', () => {});
  }

  /** Resolves once the stream has ended (or failed): every line it carried has been captured. */
  attach(stream: Readable | null): Promise<void> {
    if (!stream) return Promise.resolve();
    stream.on('data', (chunk: Buffer) => this.write(chunk.toString()));
    return new Promise((resolve) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', () => resolve());
    });
  }

  /** Harness events (start/stop/kill) interleaved with the daemon's own lines. */
  note(message: string): void {
    this.write(`--- harness: ${message}\n`);
  }

  tail(n = 60): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n).join('\n');
  }

  /** Resolves once the file is flushed and closed, so its directory can be removed after. */
  close(): Promise<void> {
    if (this.file.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.file.once('close', () => resolve());
      this.file.end();
    });
  }

  private write(text: string): void {
    this.file.write(text);
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    this.bugLines.push(...parts.filter((l) => l.includes(BUG_MARK)));
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
  }
}
