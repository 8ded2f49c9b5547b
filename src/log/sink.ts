// Where log lines go, without blocking the event loop: lines are queued in memory (at most
// max_queue_size, as Patroni's QueueHandler; the loss is reported) and written by asynchronous
// fs.write calls to stderr or to `<dir>/patroni.log`, rotated at file_size keeping file_num files,
// created with log.mode. Whatever is still queued when the process exits is written synchronously.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, unlinkSync, write, writeSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export interface SinkConfig {
  dir?: string;
  file_size: number;
  file_num: number;
  mode?: number;
  max_queue_size: number;
}

export interface Sink {
  /** false when the queue is full and the line was dropped (the logger reports the loss). */
  write(line: string): boolean;
  configure(cfg: SinkConfig): void;
  /** Resolves once everything queued so far is written. */
  flush(): Promise<void>;
}

export function asyncSink(initial: SinkConfig): Sink {
  let cfg = initial;
  let fd = 2;
  let file: string | undefined;
  let size = 0;
  const queue: string[] = [];
  let writing = false;
  let waiters: Array<() => void> = [];

  const open = () => {
    if (file && fd !== 2) closeSync(fd);
    fd = 2;
    file = undefined;
    if (!cfg.dir) return;
    try {
      mkdirSync(cfg.dir, { recursive: true });
      file = join(cfg.dir, 'patroni.log');
      const mode = cfg.mode ?? 0o666 & ~process.umask();
      fd = openSync(file, 'a', mode);
      chmodSync(file, mode);
      size = fstatSync(fd).size;
    } catch {
      fd = 2;
      file = undefined;
    }
  };

  const rotate = () => {
    if (!file) return;
    closeSync(fd);
    for (let i = cfg.file_num - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    if (cfg.file_num > 0) renameSync(file, `${file}.1`);
    else unlinkSync(file);
    const mode = cfg.mode ?? 0o666 & ~process.umask();
    fd = openSync(file, 'a', mode);
    chmodSync(file, mode);
    size = 0;
  };

  const pump = () => {
    if (writing) return;
    if (queue.length === 0) {
      const w = waiters;
      waiters = [];
      for (const fn of w) fn();
      return;
    }
    // One line per write when rotating by size, else everything queued in one write.
    const batch = file ? (queue.shift() as string) : queue.splice(0).join('');
    if (file && size > 0 && size + Buffer.byteLength(batch) > cfg.file_size) {
      try {
        rotate();
      } catch {
        /* keep writing to the current file */
      }
    }
    writing = true;
    write(fd, batch, (err) => {
      writing = false;
      if (!err) size += Buffer.byteLength(batch);
      pump();
    });
  };

  process.on('exit', () => {
    if (queue.length) {
      try {
        writeSync(fd, queue.splice(0).join(''));
      } catch {
        /* nothing left to report to */
      }
    }
  });

  open();
  return {
    write(line) {
      if (queue.length >= cfg.max_queue_size) return false;
      queue.push(`${line}\n`);
      pump();
      return true;
    },
    configure(next) {
      const reopen = next.dir !== cfg.dir || next.mode !== cfg.mode;
      cfg = next;
      if (reopen) open();
    },
    flush: () =>
      new Promise((resolve) => {
        if (!writing && queue.length === 0) resolve();
        else waiters.push(resolve);
      }),
  };
}
