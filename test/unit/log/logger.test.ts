// Our log lines equal what Python's logging (and python-json-logger, as Patroni configures it)
// prints for the same record. Expected lines were produced by CPython 3's logging.Formatter with
// TZ=UTC; JSON lines by json.dumps of python-json-logger's add_fields result.
process.env.TZ = 'UTC';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatJson, formatPlain, formatTime, jsonFormatOf, type LogRecord } from '../../../src/log/format.js';
import { createLogger, interpolate, loggerNameFor } from '../../../src/log/logger.js';
import { asyncSink, type Sink } from '../../../src/log/sink.js';

const RECORD: LogRecord = {
  name: 'patroni.ha',
  levelname: 'WARNING',
  levelno: 30,
  msg: 'no action. I am (%s), a secondary ü',
  message: 'no action. I am (pg2), a secondary ü',
  created: 1764371596.123,
  msecs: 123,
  relativeCreated: 5000,
  pathname: '/usr/lib/python3/dist-packages/patroni/ha.py',
  filename: 'ha.py',
  module: 'ha',
  funcName: '_run_cycle',
  lineno: 2041,
  process: 4242,
  processName: 'MainProcess',
  thread: 0,
  threadName: 'MainThread',
  exc_text: null,
};

const PLAIN: Array<[string, string | undefined, string]> = [
  ['%(asctime)s %(levelname)s: %(message)s', undefined, '2025-11-28 23:13:16,123 WARNING: no action. I am (pg2), a secondary ü'],
  ['%(asctime)s %(levelname)-8s %(message)s', undefined, '2025-11-28 23:13:16,123 WARNING  no action. I am (pg2), a secondary ü'],
  ['[%(levelname)8s] %(name)-12s|%(module)s|%(filename)s|%(funcName)s:%(lineno)d', undefined, '[ WARNING] patroni.ha  |ha|ha.py|_run_cycle:2041'],
  [
    '%(asctime)s %(levelname)s [%(pathname)s:%(lineno)d - %(funcName)s]: %(message)s',
    undefined,
    '2025-11-28 23:13:16,123 WARNING [/usr/lib/python3/dist-packages/patroni/ha.py:2041 - _run_cycle]: no action. I am (pg2), a secondary ü',
  ],
  [
    '%(process)06d %(thread)d %(threadName)s %(processName)s %(levelno)s %(lineno)5d|%(lineno)-5d|',
    undefined,
    '004242 0 MainThread MainProcess 30  2041|2041 |',
  ],
  [
    '%(message).9s|%(message)r|%(msecs)03d|%(created)f|%(relativeCreated).1f|%(msg)s %%',
    undefined,
    "no action|'no action. I am (pg2), a secondary ü'|123|1764371596.123000|5000.0|no action. I am (%s), a secondary ü %",
  ],
  ['%(levelname)+10s|%(process)x|%(process)#x|%(process)o|%(lineno) d|%(lineno)+d', undefined, '   WARNING|1092|0x1092|10222| 2041|+2041'],
  ['%(asctime)s', '%Y-%m-%d %H:%M:%S', '2025-11-28 23:13:16'],
  [
    '%(asctime)s',
    '%a %A %b %B %d %e %H %I %j %m %M %p %S %U %w %W %y %Y %z %Z %% %f',
    'Fri Friday Nov November 28 28 23 11 332 11 13 PM 16 47 5 47 25 2025 +0000 UTC % %f',
  ],
  ['%(asctime)s', '%c|%x|%X|%D|%T|%F|%R|%s', 'Fri Nov 28 23:13:16 2025|11/28/25|23:13:16|11/28/25|23:13:16|2025-11-28|23:13|1764371596'],
];

describe('plain format equals Python logging.Formatter', () => {
  for (const [fmt, datefmt, expected] of PLAIN) {
    test(`${fmt}${datefmt ? ` / ${datefmt}` : ''}`, () => assert.equal(formatPlain(RECORD, fmt, datefmt), expected));
  }
  test('a traceback follows the line after a newline', () => {
    assert.equal(
      formatPlain({ ...RECORD, exc_text: 'Error: x\n    at f' }, '%(levelname)s %(message)s'),
      'WARNING no action. I am (pg2), a secondary ü\nError: x\n    at f',
    );
  });
});

describe('json format equals python-json-logger as Patroni configures it', () => {
  test('default format', () => {
    assert.equal(
      formatJson(RECORD, jsonFormatOf('%(asctime)s %(levelname)s: %(message)s')),
      '{"asctime": "2025-11-28 23:13:16,123", "levelname": "WARNING", "message": "no action. I am (pg2), a secondary \\u00fc"}',
    );
  });
  test('numbers keep their Python types; dateformat; static fields after the named ones', () => {
    const jf = jsonFormatOf('%(asctime)s %(levelname)s %(name)s %(lineno)d %(process)s %(created)s %(msecs)s %(relativeCreated)s %(thread)s', {
      app: 'patroni',
      n: 1,
    });
    assert.equal(
      formatJson(RECORD, jf, '%Y-%m-%dT%H:%M:%S%z'),
      '{"asctime": "2025-11-28T23:13:16+0000", "levelname": "WARNING", "name": "patroni.ha", "lineno": 2041, "process": 4242, "created": 1764371596.123, "msecs": 123.0, "relativeCreated": 5000.0, "thread": 0, "app": "patroni", "n": 1}',
    );
  });
  test('format as a list with {field: renamed} mappings', () => {
    const jf = jsonFormatOf([{ asctime: '@timestamp' }, { levelname: 'level' }, 'message'], { cluster: 'orders' });
    assert.equal(
      formatJson(RECORD, jf),
      '{"@timestamp": "2025-11-28 23:13:16,123", "level": "WARNING", "message": "no action. I am (pg2), a secondary \\u00fc", "cluster": "orders"}',
    );
  });
});

function memorySink(): Sink & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    write: (l) => {
      lines.push(l);
      return true;
    },
    configure: () => undefined,
    flush: async () => undefined,
  };
}

describe('logger', () => {
  const at = () => Date.UTC(2025, 10, 28, 23, 13, 16, 123);

  test('default line: asctime with milliseconds after a comma, level at column 25', () => {
    const sink = memorySink();
    createLogger({}, { sink, now: at }).info('no action. I am (%s), the leader with the lock', 'pg1');
    assert.deepEqual(sink.lines, ['2025-11-28 23:13:16,123 INFO: no action. I am (pg1), the leader with the lock']);
  });

  test('level filtering; loggers set levels under Patroni module names, inherited by children', () => {
    const sink = memorySink();
    const l = createLogger({ level: 'WARNING', format: '%(name)s %(levelname)s %(message)s', loggers: { patroni: 'DEBUG' } }, { sink, now: at });
    l.debug('shown: patroni.* is DEBUG');
    const quiet = createLogger({ level: 'INFO', format: '%(message)s', loggers: { 'patroni.log': 'ERROR' } }, { sink, now: at });
    quiet.warning('hidden: called from src/log');
    assert.equal(sink.lines.length, 1);
    assert.match(sink.lines[0] as string, /^patroni(\.[a-z_.]+)? DEBUG shown/);
    assert.equal(loggerNameFor('/srv/patroni-ts/dist/ha/decide.js'), 'patroni.ha');
    assert.equal(loggerNameFor('/srv/patroni-ts/src/dcs/etcd3-kv.ts'), 'patroni.dcs.etcd3');
    assert.equal(loggerNameFor('/srv/patroni-ts/dist/postgresql/rewind.js'), 'patroni.postgresql.rewind');
  });

  test('call site fields name the caller', () => {
    const sink = memorySink();
    createLogger({ format: '%(filename)s:%(funcName)s:%(lineno)d' }, { sink, now: at }).info('x');
    assert.match(sink.lines[0] as string, /^logger\.test\.ts:.+:\d+$/);
  });

  test('traceback_level ERROR: stack with the ERROR line; DEBUG: only the error text unless at DEBUG', () => {
    const err = new Error('boom');
    const sink = memorySink();
    createLogger({ format: '%(levelname)s %(message)s' }, { sink, now: at }).exception('Failed', err);
    assert.match(sink.lines[0] as string, /^ERROR Failed\nError: boom\n\s+at /);
    const s2 = memorySink();
    createLogger({ format: '%(levelname)s %(message)s', traceback_level: 'DEBUG' }, { sink: s2, now: at }).exception('Failed', err);
    assert.deepEqual(s2.lines, ["ERROR Failed, DETAIL: 'boom'"]);
    const s3 = memorySink();
    createLogger({ format: '%(levelname)s %(message)s', traceback_level: 'DEBUG', level: 'DEBUG' }, { sink: s3, now: at }).exception('Failed', err);
    assert.match(s3.lines[0] as string, /^DEBUG Failed\nError: boom/);
  });

  test('at INFO a "Lock owner" line shows only before a non-heartbeat; deduplicate_heartbeat_logs drops repeats', () => {
    const sink = memorySink();
    const l = createLogger({ format: '%(message)s', deduplicate_heartbeat_logs: true }, { sink, now: at });
    for (let i = 0; i < 3; i++) {
      l.info('Lock owner: pg1; I am pg2');
      l.info('no action. I am (pg2), a secondary, and following a leader (pg1)');
    }
    l.info('Lock owner: pg1; I am pg2');
    l.info('starting as a secondary');
    assert.deepEqual(sink.lines, ['no action. I am (pg2), a secondary, and following a leader (pg1)', 'Lock owner: pg1; I am pg2', 'starting as a secondary']);
    const keep = memorySink();
    const k = createLogger({ format: '%(message)s' }, { sink: keep, now: at });
    for (let i = 0; i < 2; i++) {
      k.info('Lock owner: pg1; I am pg2');
      k.info('no action. I am (pg2), a secondary');
    }
    assert.equal(keep.lines.length, 2);
  });

  test('a full queue drops lines and says how many were lost', () => {
    let accept = false;
    const lines: string[] = [];
    const sink: Sink = {
      write: (l) => {
        if (accept) lines.push(l);
        return accept;
      },
      configure: () => undefined,
      flush: async () => undefined,
    };
    const l = createLogger({ format: '%(levelname)s %(message)s' }, { sink, now: at });
    l.info('a');
    l.info('b');
    accept = true;
    l.info('c');
    assert.deepEqual(lines, ['INFO c', 'WARNING QueueHandler has lost 2 log records']);
  });

  test('interpolate like Python %s', () => {
    assert.equal(interpolate('a %s b %s', [1, 'x']), 'a 1 b x');
    // Patroni's `received switchover request with ... scheduled_at=None` when no time was given.
    assert.equal(interpolate('at=%s by=%s', [undefined, null]), 'at=None by=None');
    assert.equal(formatTime(1764371596.5), '2025-11-28 23:13:16,500');
  });

  test('log.dir: asynchronous writes to patroni.log with log.mode, rotated at file_size keeping file_num files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patroni-ts-log-'));
    const sink = asyncSink({ dir, file_size: 200, file_num: 2, mode: 0o640, max_queue_size: 1000 });
    const l = createLogger({ dir, file_size: 200, file_num: 2, mode: 0o640 }, { sink });
    for (let i = 0; i < 20; i++) l.info(`line ${i} ${'x'.repeat(20)}`);
    await l.flush();
    assert.deepEqual(readdirSync(dir).sort(), ['patroni.log', 'patroni.log.1', 'patroni.log.2']);
    assert.match(readFileSync(join(dir, 'patroni.log'), 'utf8'), /line 19/);
    assert.equal(statSync(join(dir, 'patroni.log')).mode & 0o777, 0o640);
  });
});
