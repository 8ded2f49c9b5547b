// Patroni's log line format by default: `2026-11-25 22:00:00,123 INFO: message` (Python logging's
// asctime), so log parsers and Patroni's acceptance tests read our lines. Writes to stderr, or to a
// rotated file under log.dir.
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { LogConfig, LogLevel } from '../config/types.js';

const LEVELS: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

export interface Logger {
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warning(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
  critical(msg: string, ...args: unknown[]): void;
  /** Reconfigure in place (SIGHUP). */
  configure(cfg: Partial<LogConfig>): void;
}

const DEFAULT_CONFIG: LogConfig = {
  type: 'plain', level: 'INFO', format: '%(asctime)s %(levelname)s: %(message)s', file_num: 4, file_size: 25_000_000,
};

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Python's default asctime: local time `YYYY-MM-DD HH:MM:SS,mmm`; a dateformat uses strftime codes. */
export function asctime(d: Date, dateformat?: string): string {
  if (!dateformat) {
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
  }
  const codes: Record<string, string> = {
    Y: String(d.getFullYear()), m: pad(d.getMonth() + 1), d: pad(d.getDate()), H: pad(d.getHours()),
    M: pad(d.getMinutes()), S: pad(d.getSeconds()), f: pad(d.getMilliseconds() * 1000, 6), '%': '%',
  };
  return dateformat.replace(/%([YmdHMSf%])/g, (_, c: string) => codes[c] ?? '');
}

/** Python-style `%s` interpolation of extra args, as Patroni's logger calls pass them. */
export function interpolate(msg: string, args: unknown[]): string {
  if (args.length === 0) return msg;
  let i = 0;
  return msg.replace(/%[sdrf]/g, (m) => (i < args.length ? String(args[i++]) : m));
}

export function createLogger(initial: Partial<LogConfig> = {}): Logger {
  let cfg: LogConfig = { ...DEFAULT_CONFIG, ...initial };

  const write = (line: string) => {
    if (!cfg.dir) {
      process.stderr.write(line + '\n');
      return;
    }
    const file = join(cfg.dir, 'patroni.log');
    try {
      if (!existsSync(cfg.dir)) mkdirSync(cfg.dir, { recursive: true });
      if (existsSync(file) && statSync(file).size + line.length > cfg.file_size) rotate(file, cfg.file_num);
      appendFileSync(file, line + '\n');
    } catch {
      process.stderr.write(line + '\n');
    }
  };

  const emit = (level: LogLevel, msg: string, args: unknown[]) => {
    if (LEVELS[level] < LEVELS[cfg.level]) return;
    const now = new Date();
    const message = interpolate(msg, args);
    if (cfg.type === 'json') {
      write(JSON.stringify({ ...(cfg.static_fields ?? {}), asctime: asctime(now, cfg.dateformat), levelname: level, message }));
      return;
    }
    write(cfg.format.replace(/%\((\w+)\)[-\d.]*[sdf]/g, (m, key: string) => {
      switch (key) {
        case 'asctime': return asctime(now, cfg.dateformat);
        case 'levelname': return level;
        case 'message': return message;
        case 'process': return String(process.pid);
        case 'name': return 'patroni';
        default: return m;
      }
    }));
  };

  return {
    debug: (m, ...a) => emit('DEBUG', m, a),
    info: (m, ...a) => emit('INFO', m, a),
    warning: (m, ...a) => emit('WARNING', m, a),
    error: (m, ...a) => emit('ERROR', m, a),
    critical: (m, ...a) => emit('CRITICAL', m, a),
    configure: (c) => { cfg = { ...cfg, ...c }; },
  };
}

function rotate(file: string, keep: number): void {
  for (let i = keep - 1; i >= 1; i--) {
    const from = `${file}.${i}`;
    if (existsSync(from)) renameSync(from, `${file}.${i + 1}`);
  }
  if (keep > 0) renameSync(file, `${file}.1`);
  else unlinkSync(file);
}

/** Process-wide logger; reconfigured from the `log` section at start and on SIGHUP. */
export const log: Logger = createLogger();
