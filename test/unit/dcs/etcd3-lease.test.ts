import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../src/util/json.js';
import { LeaseKeeper } from '../../../src/dcs/etcd3-lease.js';
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
    call: async (method: string, body: JsonObject): Promise<JsonObject> => {
      calls.push(method);
      if (method === '/lease/grant') return { ID: String(next++), TTL: String(body.TTL) };
      return keepalive(String(body.ID));
    },
  };
}

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
  const gone = fakeEtcd(() => { throw new LeaseNotFound('etcdserver: requested lease not found'); });
  const l2 = new LeaseKeeper(gone, 30, 10);
  await l2.refresh(false, deadline);
  assert.equal(await l2.refresh(true, deadline), '101');
  l2.setTimeouts(40, 10);
  assert.equal(l2.lease, undefined);
});

test('status writer: only changed content, slots carried over, legacy optime for old members', async () => {
  const writes: [string, string][] = [];
  const w = new LeaderStatusWriter(async (k, v) => { writes.push([k, v]); }, () => undefined);
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
  assert.deepEqual(writes.map(([k]) => k), ['status', 'optime/leader']);
});

test('factory: etcd3 supported, others refused clearly', async () => {
  const base = { scope: 's', namespace: '/service/', name: 'n' };
  assert.throws(() => createDcs({ ...base, dcs: { kind: 'consul', section: {} } }, 'ctl'), /DCS consul is not supported yet/);
  const d = createDcs({ ...base, dcs: { kind: 'etcd3', hosts: ['127.0.0.1:1'], protocol: 'http', use_proxies: false } }, 'ctl');
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
