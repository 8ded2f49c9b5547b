import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatLsn, parseLsn } from '../../../src/postgresql/lsn.js';

describe('LSN', () => {
  test('parses X/Y into bytes', () => {
    assert.equal(parseLsn('0/0'), 0);
    assert.equal(parseLsn('0/17529B0'), 0x17529b0);
    assert.equal(parseLsn('16/B374D848'), 0x16 * 2 ** 32 + 0xb374d848);
    assert.equal(parseLsn('FFFF/FFFFFFFF'), 0xffff * 2 ** 32 + 0xffffffff);
  });
  test('rejects non-LSN text', () => {
    assert.equal(parseLsn(''), null);
    assert.equal(parseLsn('12345'), null);
    assert.equal(parseLsn('G/1'), null);
  });
  test('formats like %X/%X and round-trips', () => {
    assert.equal(formatLsn(0), '0/0');
    assert.equal(formatLsn(0x17529b0), '0/17529B0');
    assert.equal(formatLsn(0x16 * 2 ** 32 + 0xb374d848), '16/B374D848');
    for (const s of ['1/0', 'A/1', '3F/DEADBEEF']) assert.equal(formatLsn(parseLsn(s) as number), s);
  });
});
