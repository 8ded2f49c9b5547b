import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../src/util/json.js';
import { keepaliveInterval, LeaseKeeper } from '../../../src/dcs/etcd3-lease.js';
import { LeaseNotFound } from '../../../src/dcs/etcd3-errors.js';
import { LeaderStatusWriter, needsLegacyOptime } from '../../../src/dcs/status-writer.js';
import { EMPTY_CLUSTER } from '../../../src/dcs/cluster.js';
import { createDcs } from '../../../src/dcs/factory.js';
import { parseMemberData } from '../../../src/dcs/parse.js';
import { log } from '../../../src/log/logger.js';

function fakeEtcd(keepalive: (id: string) => JsonObject) {
  const calls: string[] = [];
  let next = 100;
  return {
    calls,
    deadline: () => Date.now() + 10_000,
    call: async (method: string, body: JsonObject): Promise<JsonObject> => {
      calls.push(method);
      if (method === '/lease/grant') return { ID: String(next++), TTL: String(body.TTL) };
      return keepalive(String(body.ID));
    },
  };
}

test('keepalive interval: ttl/3, never more often than Patroni (loop_wait)', () => {
  assert.equal(keepaliveInterval(30, 10), 10);
  assert.equal(keepaliveInterval(20, 2), 2);
  assert.equal(keepaliveInterval(6, 10), 2);
});

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test('lease timer: renews the held lease every ttl/3 with no cycle running, tells listeners, stops when the hold ends', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  try {
    const etcd = fakeEtcd(() => ({ result: { TTL: '6' } }));
    const woken: number[] = [];
    const lease = new LeaseKeeper(etcd, 6, 10, () => woken.push(Date.now()));
    const renewed: number[] = [];
    lease.onRefreshed((at) => renewed.push(at));
    await lease.refresh(false, 10_000); // the cycle's grant: not a renewal
    assert.deepEqual([etcd.calls, renewed, lease.lastRefreshSentAt()], [['/lease/grant'], [], 0]);
    lease.holdUntil(7_000); // the cycle vouches for 7 s (loop_wait 1 + ttl 6), then goes silent
    for (let t = 0; t < 20_000; t += 500) {
      mock.timers.tick(500);
      await settle();
    }
    // Renewals at 2, 4 and 6 s; none at 8 s (the hold ended): the lease then lapses by itself.
    assert.deepEqual(renewed, [2000, 4000, 6000]);
    assert.deepEqual(etcd.calls, ['/lease/grant', '/lease/keepalive', '/lease/keepalive', '/lease/keepalive']);
    assert.equal(lease.lastRefreshSentAt(), 6000);
    assert.deepEqual(woken, []);
    lease.stop();
  } finally {
    mock.timers.reset();
  }
});

test("lease timer: a lost lease is not re-granted behind the cycle's back; a failed renewal wakes the cycle", async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  try {
    let mode: 'gone' | 'down' = 'gone';
    const etcd = fakeEtcd(() => {
      if (mode === 'gone') throw new LeaseNotFound('etcdserver: requested lease not found');
      throw new Error('connection refused');
    });
    const woken: number[] = [];
    const lease = new LeaseKeeper(etcd, 6, 10, () => woken.push(Date.now()));
    await lease.refresh(false, 10_000);
    lease.holdUntil(60_000);
    mock.timers.tick(2000);
    await settle();
    assert.deepEqual(etcd.calls, ['/lease/grant', '/lease/keepalive'], 'no grant from the timer');
    assert.equal(lease.lease, undefined);
    assert.deepEqual(woken, [2000]);
    mode = 'down';
    await lease.refresh(false, 10_000); // the cycle grants a new one
    mock.timers.tick(2000);
    await settle();
    assert.deepEqual(woken, [2000, 4000]);
    lease.stop();
  } finally {
    mock.timers.reset();
  }
});

test('lease: granted once, keepalive at most once per loop_wait unless forced', async () => {
  const etcd = fakeEtcd(() => ({ result: { TTL: '30' } }));
  const lease = new LeaseKeeper(etcd, 30, 10);
  const deadline = Date.now() + 10_000;
  assert.equal(await lease.refresh(false, deadline), '100');
  assert.equal(await lease.refresh(false, deadline), '100');
  assert.deepEqual(etcd.calls, ['/lease/grant']);
  await lease.refresh(true, deadline);
  assert.deepEqual(etcd.calls, ['/lease/grant', '/lease/keepalive']);
  // Concurrent first use must not grant two leases.
  const fresh = fakeEtcd(() => ({ result: { TTL: '30' } }));
  const l2 = new LeaseKeeper(fresh, 30, 10);
  await Promise.all([l2.refresh(false, deadline), l2.refresh(false, deadline)]);
  assert.deepEqual(fresh.calls, ['/lease/grant']);
});

test('lease: expired (no TTL) or not found -> regrant; ttl change drops the lease', async () => {
  const deadline = Date.now() + 10_000;
  const expired = fakeEtcd(() => ({ result: { ID: '100' } }));
  const l1 = new LeaseKeeper(expired, 30, 10);
  await l1.refresh(false, deadline);
  assert.equal(await l1.refresh(true, deadline), '101');
  const gone = fakeEtcd(() => {
    throw new LeaseNotFound('etcdserver: requested lease not found');
  });
  const l2 = new LeaseKeeper(gone, 30, 10);
  await l2.refresh(false, deadline);
  assert.equal(await l2.refresh(true, deadline), '101');
  l2.setTimeouts(40, 10);
  assert.equal(l2.lease, undefined);
});

test('status writer: only changed content, slots carried over, legacy optime for old members', async () => {
  const writes: [string, string][] = [];
  const w = new LeaderStatusWriter(
    async (k, v) => {
      writes.push([k, v]);
    },
    () => undefined,
  );
  await w.write(null, { optime: 10, slots: { s: 1 } });
  await w.write(null, { optime: 10 });
  await w.write(null, { optime: 20 });
  await w.write(null, { failsafe: { a: 'http://a/patroni' } });
  await w.write(null, { failsafe: { a: 'http://a/patroni' } });
  assert.deepEqual(writes, [
    ['status', '{"optime":10,"slots":{"s":1}}'],
    ['status', '{"optime":20,"slots":{"s":1}}'],
    ['failsafe', '{"a":"http://a/patroni"}'],
  ]);
  const old = { ...EMPTY_CLUSTER, members: [{ name: 'x', version: '1', data: { version: '2.0.2' } }] };
  assert.equal(needsLegacyOptime(old), true);
  assert.equal(needsLegacyOptime({ ...EMPTY_CLUSTER, members: [{ name: 'x', version: '1', data: { version: '4.1.4' } }] }), false);
  writes.length = 0;
  await w.write(old, { optime: 30 });
  assert.deepEqual(
    writes.map(([k]) => k),
    ['status', 'optime/leader'],
  );
});

test('factory: etcd3 supported, others refused clearly', async () => {
  const base = { scope: 's', namespace: '/service/', name: 'n' };
  await assert.rejects(() => createDcs({ ...base, dcs: { kind: 'consul', section: {} } }, 'ctl'), /the consul DCS is not supported by patroni-ts yet/);
  const d = await createDcs({ ...base, dcs: { kind: 'etcd3', hosts: ['127.0.0.1:1'], protocol: 'http', use_proxies: false } }, 'ctl');
  assert.equal(d.backend, 'etcd3');
  assert.equal(d.clusterPath, '/service/s');
  await d.close();
});

test('a garbage member value is warned about once', () => {
  const lines: string[] = [];
  log.tap((l) => lines.push(l));
  try {
    parseMemberData('once', '{broken-1');
    parseMemberData('once', '{broken-1');
  } finally {
    log.tap(null);
  }
  assert.equal(lines.filter((l) => l.includes('WARNING') && l.includes('once')).length, 1);
});
