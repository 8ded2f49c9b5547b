import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache } from '../../../src/daemon/snapshot-cache.js';

interface Snap {
  n: number;
}

/** A source whose take() only settles when the test says so, on a clock the test moves. */
function source() {
  const s = {
    clock: 0,
    current: null as Snap | null,
    takes: 0,
    pending: [] as Array<(v: Snap) => void>,
    src: {
      current: () => s.current,
      take: () => {
        s.takes++;
        return new Promise<Snap>((res) => s.pending.push(res));
      },
      store: (v: Snap) => {
        s.current = v;
      },
      now: () => s.clock,
    },
    settle(n: number) {
      for (const r of s.pending.splice(0)) r({ n });
    },
  };
  return s;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('REST API snapshot cache', () => {
  test('fresh: answered from the cache, no refresh', async () => {
    const s = source();
    const cache = new SnapshotCache(s.src, 250);
    s.current = { n: 1 }; // taken by the HA cycle
    assert.deepEqual(await cache.get(250), { n: 1 });
    s.clock = 200;
    assert.deepEqual(await cache.get(250), { n: 1 });
    assert.equal(s.takes, 0);
  });

  test('health checks get the cached snapshot at once while one shared refresh runs', async () => {
    const s = source();
    const cache = new SnapshotCache(s.src, 250);
    s.current = { n: 1 };
    await cache.get(500);
    s.clock = 300;
    assert.deepEqual(await cache.get(500), { n: 1 }, 'not waiting for the refresh');
    assert.deepEqual(await cache.get(500), { n: 1 });
    assert.equal(s.takes, 1, 'one refresh for both');
    s.settle(2);
    await tick();
    assert.deepEqual(await cache.get(500), { n: 2 });
  });

  test('GET /patroni waits for the refresh past freshMs; everyone waits past the stale bound', async () => {
    const s = source();
    const cache = new SnapshotCache(s.src, 250);
    s.current = { n: 1 };
    await cache.get(250);
    s.clock = 300;
    const patroni = cache.get(250);
    s.clock = 900;
    const health = cache.get(500);
    s.settle(3);
    assert.deepEqual(await patroni, { n: 3 });
    assert.deepEqual(await health, { n: 3 });
  });

  test('a snapshot the HA cycle took counts as fresh', async () => {
    const s = source();
    const cache = new SnapshotCache(s.src, 250);
    s.current = { n: 1 };
    await cache.get(250);
    s.clock = 1_000;
    s.current = { n: 5 };
    assert.deepEqual(await cache.get(250), { n: 5 });
    assert.equal(s.takes, 0);
  });

  test('nothing cached yet: the first request waits', async () => {
    const s = source();
    const cache = new SnapshotCache(s.src, 250);
    const first = cache.get(500);
    s.settle(1);
    assert.deepEqual(await first, { n: 1 });
  });
});
