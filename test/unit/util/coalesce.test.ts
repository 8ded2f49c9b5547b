import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalesceFresh } from '../../../src/util/coalesce.js';

test('callers during a read share the next read, which starts after they asked', async () => {
  let reads = 0;
  const resolvers: (() => void)[] = [];
  const read = coalesceFresh(() => new Promise<number>((r) => { const n = ++reads; resolvers.push(() => r(n)); }));
  const first = read();
  const later = [read(), read(), read()];
  assert.equal(reads, 1, 'no second read while the first runs');
  resolvers.shift()!();
  assert.equal(await first, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(reads, 2, 'one more read for everyone who asked meanwhile');
  resolvers.shift()!();
  assert.deepEqual(await Promise.all(later), [2, 2, 2]);
});

test('a failed read fails its callers only; the next call reads again', async () => {
  let n = 0;
  const read = coalesceFresh(async () => { n++; if (n === 1) throw new Error('down'); return n; });
  await assert.rejects(read(), /down/);
  assert.equal(await read(), 2);
});
