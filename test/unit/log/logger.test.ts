// Patroni's log line: `2026-11-25 22:00:00,123 INFO: message`, the level at column 25.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { asctime, createLogger, interpolate } from '../../../src/log/logger.js';

function capture(fn: () => void): string {
  const write = process.stderr.write.bind(process.stderr);
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true; }) as typeof process.stderr.write;
  try { fn(); } finally { process.stderr.write = write; }
  return out;
}

test('default format: asctime with milliseconds after a comma, level at column 25', () => {
  const line = capture(() => createLogger().info('no action. I am (%s), the leader with the lock', 'pg1')).trimEnd();
  assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO: no action\. I am \(pg1\), the leader with the lock$/);
  assert.equal(line.indexOf('INFO'), 24);
});

test('level filtering and WARNING naming', () => {
  const log = createLogger({ level: 'WARNING' });
  assert.equal(capture(() => log.info('hidden')), '');
  assert.match(capture(() => log.warning('shown')), / WARNING: shown\n$/);
});

test('custom format and dateformat (strftime codes)', () => {
  const log = createLogger({ format: '%(levelname)s %(message)s', dateformat: '%Y' });
  assert.equal(capture(() => log.error('boom')), 'ERROR boom\n');
  assert.equal(asctime(new Date(2026, 10, 25, 22, 0, 0, 123), '%Y-%m-%d %H:%M:%S'), '2026-11-25 22:00:00');
  assert.equal(asctime(new Date(2026, 10, 25, 22, 0, 0, 123)), '2026-11-25 22:00:00,123');
});

test('json type carries static fields', () => {
  const log = createLogger({ type: 'json', static_fields: { app: 'patroni' } });
  const rec = JSON.parse(capture(() => log.info('hello'))) as Record<string, string>;
  assert.deepEqual([rec.app, rec.levelname, rec.message], ['patroni', 'INFO', 'hello']);
});

test('log.dir writes patroni.log and rotates at file_size keeping file_num files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patroni-ts-log-'));
  const log = createLogger({ dir, file_size: 200, file_num: 2 });
  for (let i = 0; i < 20; i++) log.info(`line ${i} ${'x'.repeat(20)}`);
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['patroni.log', 'patroni.log.1', 'patroni.log.2']);
  assert.match(readFileSync(join(dir, 'patroni.log'), 'utf8'), /line 19/);
});

test('python-style interpolation', () => {
  assert.equal(interpolate('%s is %s', ['a', 1]), 'a is 1');
  assert.equal(interpolate('100%', []), '100%');
});
