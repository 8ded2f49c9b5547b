import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, roundHalfEven } from '../../../src/api/size.js';

const MB = 1024 * 1024;
const rows: [string, number | undefined][] = [
  ['0', 0],
  ['1', 1],
  ['1048576', MB],
  ['  42  ', 42],
  ['010', 8],
  ['0x10', 16],
  ['0x400 MB', 1024 * MB],
  ['16MB', 16 * MB],
  ['16 MB', 16 * MB],
  ['1kB', 1024],
  ['1GB', 1024 * MB],
  ['1TB', 1024 * 1024 * MB],
  ['5B', 5],
  ['1.5MB', 1.5 * MB],
  ['1e3', 1000],
  ['2.5', 2],
  ['3.5', 4],
  ['.5kB', 512],
  ['16M', undefined],
  ['1gb', undefined],
  ['1kb', undefined],
  ['abc', undefined],
  ['', undefined],
  ['MB', undefined],
];

test('size parser accepts Patroni units and rejects the rest', () => {
  for (const [input, want] of rows) assert.equal(parseSize(input), want, `parseSize(${JSON.stringify(input)})`);
});

test("round half to even like Python's round()", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, 2, 3]);
});
