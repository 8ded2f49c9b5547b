// The `log` section as Patroni runs it (patroni/log.py): Python logging's records and formats
// (format.ts), per-logger levels under Patroni's module names (`loggers`), traceback_level,
// deduplicate_heartbeat_logs and the "Lock owner" suppression of PatroniLogger.run, and writes
// that never block the event loop (sink.ts). Default line: `2026-11-25 22:00:00,123 INFO: message`.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { LogConfig, LogLevel } from '../config/types.js';
import { formatJson, formatPlain, jsonFormatOf, type JsonFormat, type LogRecord } from './format.js';
import { asyncSink, type Sink } from './sink.js';

export { formatTime as formatPythonTime, strftime } from './format.js';

const LEVELS: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

export interface Logger {
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warning(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
  critical(msg: string, ...args: unknown[]): void;
  /**
   * Patroni's logger.exception under traceback_level: ERROR (default) logs the message with the
   * stack; DEBUG logs it with the stack at DEBUG when enabled, else as `msg, DETAIL: 'error'`.
   */
  exception(msg: string, err: unknown, ...args: unknown[]): void;
  /** Reconfigure in place (SIGHUP). */
  configure(cfg: Partial<LogConfig>): void;
  /** Resolves once every line logged so far is written. */
  flush(): Promise<void>;
  /** Also hand every written line to `tap` (tests), or stop with null. */
  tap(tap: ((line: string) => void) | null): void;
}

/** Patroni's `log` section defaults. */
export const DEFAULT_LOG_CONFIG: LogConfig = {
  type: 'plain',
  level: 'INFO',
  format: '%(asctime)s %(levelname)s: %(message)s',
  file_num: 4,
  file_size: 25_000_000,
  traceback_level: 'ERROR',
  loggers: {},
  deduplicate_heartbeat_logs: false,
  max_queue_size: 1000,
};

/** Python-style `%s` interpolation of extra args, as Patroni's logger calls pass them: a missing value is `None`. */
export function interpolate(msg: string, args: unknown[]): string {
  if (args.length === 0) return msg;
  let i = 0;
  const text = (v: unknown): string => (v === undefined || v === null ? 'None' : String(v));
  return msg.replace(/%[sdrf]/g, (m) => (i < args.length ? text(args[i++]) : m));
}

/** Our source folders under Patroni's logger names, so `log.loggers` written for Patroni applies. */
const MODULE_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/\/ha\//, 'patroni.ha'],
  [/\/postgresql\/rewind\./, 'patroni.postgresql.rewind'],
  [/\/postgresql\/slot/, 'patroni.postgresql.slots'],
  [/\/postgresql\/sync\./, 'patroni.postgresql.sync'],
  [/\/postgresql\/(config-files|parameters|recovery)\./, 'patroni.postgresql.config'],
  [/\/postgresql\/(basebackup|initdb|backups)\./, 'patroni.postgresql.bootstrap'],
  [/\/postgresql\//, 'patroni.postgresql'],
  [/\/dcs\/etcd3/, 'patroni.dcs.etcd3'],
  [/\/dcs\//, 'patroni.dcs'],
  [/\/api\//, 'patroni.api'],
  [/\/ctl\//, 'patroni.ctl'],
  [/\/config\//, 'patroni.config'],
  [/\/daemon\//, 'patroni.__main__'],
  [/\/log\//, 'patroni.log'],
  [/\/util\//, 'patroni.utils'],
  [/\/watchdog\//, 'patroni.watchdog.base'],
];

export function loggerNameFor(pathname: string): string {
  return MODULE_NAMES.find(([re]) => re.test(pathname))?.[1] ?? 'patroni';
}

interface CallSite {
  pathname: string;
  funcName: string;
  lineno: number;
}

const sourceMaps = new Map<string, SourceMap | null>();

/**
 * The executables are esbuild bundles: a frame of dist/patroni.mjs names our source file only
 * through the bundle's source map, read once on first use.
 */
function originalFrame(file: string, line: number, col: number): { file: string; line: number } {
  if (!file.endsWith('.mjs')) return { file, line };
  let map = sourceMaps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = null;
    }
    sourceMaps.set(file, map);
  }
  const entry = map?.findEntry(line - 1, col - 1);
  if (!entry || !('originalSource' in entry)) return { file, line };
  const src = entry.originalSource.replace(/^file:\/\//, '');
  return { file: isAbsolute(src) ? src : resolve(dirname(file), src), line: entry.originalLine + 1 };
}

/** The first stack frame outside this folder: what Python's findCaller reports. */
function callSite(): CallSite {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  for (const l of lines) {
    const m = /at (?:async )?(?:(.+?) \()?(?:file:\/\/)?([^()]+?):(\d+):(\d+)\)?$/.exec(l.trim());
    if (!m) continue;
    const { file, line } = originalFrame(m[2] as string, Number(m[3]), Number(m[4]));
    if (/\/log\/(logger|format|sink)\.[jt]s$/.test(file)) continue;
    const fn = (m[1] ?? '<module>').split('.').at(-1) as string;
    return { pathname: file, funcName: fn, lineno: line };
  }
  return { pathname: '', funcName: '<module>', lineno: 0 };
}

const CALLSITE_FIELDS = /%\((name|pathname|filename|module|funcName|lineno)\)/;
const START = Date.now();
const isHeartbeat = (msg: string) => msg.startsWith('no action. ') || msg.startsWith('PAUSE: no action');

export function createLogger(initial: Partial<LogConfig> = {}, opts: { sink?: Sink; now?: () => number } = {}): Logger {
  let cfg: LogConfig = { ...DEFAULT_LOG_CONFIG, ...initial };
  const sink = opts.sink ?? asyncSink(cfg);
  const now = opts.now ?? Date.now;
  let json: JsonFormat = jsonFormatOf(cfg.format, cfg.static_fields ?? {});
  let lost = 0;
  let held: LogRecord | null = null;
  let prevHeartbeat: string | null = '';
  let tap: ((line: string) => void) | null = null;

  // Asked by every log call (debug lines included): decided once per configuration.
  const callSiteNeeded = () =>
    Object.keys(cfg.loggers).length > 0 || (typeof cfg.format === 'string' ? CALLSITE_FIELDS.test(cfg.format) : CALLSITE_FIELDS.test(json.fmt));
  let needsCallSite = callSiteNeeded();

  /** Effective level of a logger: its own, or its nearest configured ancestor's, else the root's. */
  const levelOf = (name: string): number => {
    for (let n = name; n; n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '') {
      const l = cfg.loggers[n];
      if (l !== undefined) return LEVELS[l];
    }
    return LEVELS[cfg.level];
  };

  const render = (r: LogRecord): string => {
    if (cfg.type === 'json') return formatJson(r, json, cfg.dateformat);
    return formatPlain(r, typeof cfg.format === 'string' ? cfg.format : (DEFAULT_LOG_CONFIG.format as string), cfg.dateformat);
  };

  const out = (r: LogRecord) => {
    const line = render(r);
    tap?.(line);
    if (!sink.write(line)) {
      lost++;
      return;
    }
    if (lost) {
      const n = lost;
      lost = 0;
      out(
        makeRecord(
          'WARNING',
          `QueueHandler has lost ${n} log records`,
          'QueueHandler has lost %s log records',
          { pathname: '', funcName: 'emit', lineno: 0 },
          'patroni.log',
        ),
      );
    }
  };

  /** PatroniLogger.run: at INFO, "Lock owner" lines show only when the next line is not a heartbeat. */
  const handle = (r: LogRecord) => {
    if (LEVELS[cfg.level] !== LEVELS.INFO) {
      out(r);
      return;
    }
    if (r.message.startsWith('Lock owner: ')) {
      held = r;
      return;
    }
    if (held) {
      if (isHeartbeat(r.message)) {
        if (r.message === prevHeartbeat && cfg.deduplicate_heartbeat_logs) {
          held = null;
          return;
        }
        prevHeartbeat = r.message;
      } else {
        out(held);
        prevHeartbeat = null;
      }
      held = null;
    }
    out(r);
  };

  function makeRecord(level: LogLevel, message: string, msg: string, site: CallSite, name?: string): LogRecord {
    const ms = now();
    const filename = site.pathname.split('/').at(-1) ?? '';
    return {
      name: name ?? loggerNameFor(site.pathname),
      levelname: level,
      levelno: LEVELS[level],
      msg,
      message,
      created: ms / 1000,
      msecs: ms % 1000,
      relativeCreated: ms - START,
      pathname: site.pathname,
      filename,
      module: filename.replace(/\.[^.]*$/, ''),
      funcName: site.funcName,
      lineno: site.lineno,
      process: process.pid,
      processName: 'MainProcess',
      thread: threadId,
      threadName: 'MainThread',
      exc_text: null,
    };
  }

  const emit = (level: LogLevel, msg: string, args: unknown[], excText: string | null = null) => {
    const site = needsCallSite ? callSite() : { pathname: '', funcName: '<module>', lineno: 0 };
    const name = site.pathname ? loggerNameFor(site.pathname) : 'patroni';
    if (LEVELS[level] < levelOf(name)) return;
    const r = makeRecord(level, interpolate(msg, args), msg, site, name);
    r.exc_text = excText;
    handle(r);
  };

  return {
    debug: (m, ...a) => emit('DEBUG', m, a),
    info: (m, ...a) => emit('INFO', m, a),
    warning: (m, ...a) => emit('WARNING', m, a),
    error: (m, ...a) => emit('ERROR', m, a),
    critical: (m, ...a) => emit('CRITICAL', m, a),
    exception: (m, err, ...a) => {
      const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (cfg.traceback_level === 'DEBUG') {
        if (LEVELS[cfg.level] <= LEVELS.DEBUG) emit('DEBUG', m, a, stack);
        else emit('ERROR', `${m}, DETAIL: '${err instanceof Error ? err.message : String(err)}'`, a);
      } else {
        emit('ERROR', m, a, stack);
      }
    },
    configure: (c) => {
      cfg = { ...cfg, ...c };
      json = jsonFormatOf(cfg.format, cfg.static_fields ?? {});
      needsCallSite = callSiteNeeded();
      sink.configure(cfg);
    },
    flush: () => sink.flush(),
    tap: (fn) => {
      tap = fn;
    },
  };
}

/** Process-wide logger; reconfigured from the `log` section at start and on SIGHUP. */
export const log: Logger = createLogger();
