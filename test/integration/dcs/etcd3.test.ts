// Real etcd 3.4: lock protocol, CAS, leases, watch wake-ups, garbage tolerance, unreachable -> DcsError.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { waitFor } from '../../support/tmp.js';
import { Etcd3, type Etcd3Options } from '../../../src/dcs/etcd3.js';
import { DcsError } from '../../../src/dcs/dcs.js';
import { EMPTY_CLUSTER } from '../../../src/dcs/cluster.js';
import { formatFailover } from '../../../src/dcs/format.js';

let etcd: EtcdServer;
const clients: Etcd3[] = [];
let scopeSeq = 0;

function client(name: string, scope: string, extra: Partial<Etcd3Options> = {}): Etcd3 {
  const c = new Etcd3({
    scope,
    namespace: '/service/',
    name,
    hosts: [etcd.hostPort],
    protocol: 'http',
    ttl: 30,
    loopWait: 10,
    retryTimeout: 10,
    mode: 'daemon',
    ...extra,
  });
  clients.push(c);
  return c;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
async function rawPut(key: string, value: string): Promise<void> {
  const r = await fetch(`${etcd.endpoint}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: b64(key), value: b64(value) }) });
  assert.equal(r.status, 200);
}
async function rawGet(key: string): Promise<{ value: string; lease?: string } | undefined> {
  const r = await fetch(`${etcd.endpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: b64(key) }) });
  const j = (await r.json()) as { kvs?: { value: string; lease?: string }[] };
  const kv = j.kvs?.[0];
  return kv ? { value: Buffer.from(kv.value, 'base64').toString(), lease: kv.lease } : undefined;
}

describe('Etcd3 against a real etcd', () => {
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const c of clients) await c.close();
    await etcd.stop();
  });

  test('leader race, update, delete', async () => {
    const scope = `race${scopeSeq++}`;
    const a = client('a', scope);
    const b = client('b', scope);
    const results = await Promise.all([a.attemptToAcquireLeader(), b.attemptToAcquireLeader()]);
    assert.equal(results.filter((r) => r).length, 1);
    const [winner, loser] = results[0] ? [a, b] : [b, a];
    const winnerName = results[0] ? 'a' : 'b';
    const cluster = await loser.getCluster({ fresh: true });
    assert.equal(cluster.leader?.name, winnerName);
    assert.equal(await loser.updateLeader(cluster), false);
    assert.equal(await winner.updateLeader(await winner.getCluster({ fresh: true }), { optime: 1234 }), true);
    const leaderKv = await rawGet(`/service/${scope}/leader`);
    assert.equal(leaderKv?.value, winnerName);
    const after = await winner.getCluster({ fresh: true });
    assert.ok(leaderKv?.lease && after.leader?.session === leaderKv.lease);
    assert.equal(after.status.optime, 1234);
    assert.equal(await loser.deleteLeader(after.leader), false);
    assert.equal((await rawGet(`/service/${scope}/leader`))?.value, winnerName);
    assert.equal(await winner.deleteLeader(after.leader), true);
    assert.equal(await rawGet(`/service/${scope}/leader`), undefined);
  });

  test('updateLeader re-creates the key after it vanished', async () => {
    const scope = `recreate${scopeSeq++}`;
    const a = client('a', scope);
    assert.equal(await a.attemptToAcquireLeader(), true);
    await fetch(`${etcd.endpoint}/v3/kv/deleterange`, { method: 'POST', body: JSON.stringify({ key: b64(`/service/${scope}/leader`) }) });
    const c = await a.getCluster({ fresh: true });
    assert.equal(c.leader, null);
    assert.equal(await a.updateLeader(c), true);
    assert.equal((await rawGet(`/service/${scope}/leader`))?.value, 'a');
  });

  test('leader key expires with its lease when nobody keeps it alive', async () => {
    const scope = `expire${scopeSeq++}`;
    const a = client('a', scope, { ttl: 2, loopWait: 1, retryTimeout: 3 });
    assert.equal(await a.attemptToAcquireLeader(), true);
    assert.ok(await rawGet(`/service/${scope}/leader`));
    await waitFor('leader key to expire', async () => (await rawGet(`/service/${scope}/leader`)) === undefined, 15_000, 200);
  });

  test('watch wakes early on leader delete and on failover write, else times out', async () => {
    const scope = `watch${scopeSeq++}`;
    const leader = client('a', scope);
    const replica = client('b', scope);
    assert.equal(await leader.attemptToAcquireLeader(), true);
    await waitFor('replica cache to see the leader', async () => (await replica.getCluster()).leader?.name === 'a', 10_000, 50);
    // The wake-ups caused by the leader key appearing (the view above may come from a direct read while
    // the watch was not live yet, so they can still arrive); once they are over, a watch times out.
    await waitFor('a quiet watch to time out', async () => (await replica.watch(200)) === false, 15_000, 0);

    let woke = replica.watch(30_000);
    const c = await leader.getCluster({ fresh: true });
    assert.equal(await leader.deleteLeader(c.leader), true);
    assert.equal(await Promise.race([woke, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]), true);

    woke = replica.watch(30_000);
    assert.equal(await leader.setFailoverValue(formatFailover({ candidate: 'b' })), true);
    assert.equal(await Promise.race([woke, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]), true);
    assert.equal((await replica.getCluster()).failover?.candidate, 'b');

    woke = replica.watch(30_000);
    replica.wakeup();
    assert.equal(await woke, true);
  });

  test('touchMember binds to the lease and skips unchanged rewrites', async () => {
    const scope = `touch${scopeSeq++}`;
    const a = client('pg1', scope);
    const data = { conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', state: 'running', role: 'replica' as const };
    assert.equal(await a.touchMember(data), true);
    const first = await waitFor('cache to hold the member', async () => (await a.getCluster()).members[0], 10_000, 50);
    assert.ok(first.session);
    assert.equal((await rawGet(`/service/${scope}/members/pg1`))?.lease, first.session);
    assert.equal(await a.touchMember(data), true);
    assert.equal((await a.getCluster({ fresh: true })).members[0]?.version, first.version);
    assert.equal(await a.touchMember({ ...data, state: 'stopped' }), true);
    const changed = (await a.getCluster({ fresh: true })).members[0];
    assert.notEqual(changed?.version, first.version);
    assert.equal(changed?.data.state, 'stopped');
  });

  test('CAS writes and create-only initialize', async () => {
    const scope = `cas${scopeSeq++}`;
    const a = client('a', scope, { mode: 'ctl' });
    const b = client('b', scope, { mode: 'ctl' });
    const inits = await Promise.all([a.initialize(true, ''), b.initialize(true, '')]);
    assert.equal(inits.filter((r) => r).length, 1);
    assert.equal(await a.initialize(true, '7000000000000000001'), false);
    assert.equal(await a.initialize(false, '7000000000000000001'), true);
    assert.equal((await a.getCluster()).initialize, '7000000000000000001');
    assert.equal(await a.cancelInitialization(), true);
    assert.equal((await a.getCluster()).initialize, null);

    assert.equal(await a.setConfigValue('{"ttl":30}'), true);
    const v1 = (await a.getCluster()).config?.version;
    assert.ok(v1);
    assert.equal(await b.setConfigValue('{"ttl":40}', v1), true);
    assert.equal(await a.setConfigValue('{"ttl":50}', v1), false);
    assert.deepEqual((await a.getCluster()).config?.data, { ttl: 40 });

    assert.equal(await a.setFailoverValue('{"leader":"a"}'), true);
    const fv = (await a.getCluster()).failover?.version;
    assert.equal(await a.setFailoverValue('{}', '1'), false);
    assert.equal(await a.setFailoverValue('{}', fv), true);
    assert.equal((await a.getCluster()).failover, null);

    const sv = await a.setSyncStateValue('{"leader":"a","quorum":0,"sync_standby":"b"}');
    assert.ok(sv);
    assert.equal(await a.setSyncStateValue('{"leader":"a","quorum":0,"sync_standby":null}', '1'), false);
    const sv2 = await a.setSyncStateValue('{"leader":"a","quorum":0,"sync_standby":"b,c"}', sv);
    assert.ok(sv2 && sv2 !== sv);
    assert.deepEqual((await a.getCluster()).sync.members, ['b', 'c']);
    assert.equal(await a.deleteSyncState('1'), false);
    assert.equal(await a.deleteSyncState(sv2), true);
    assert.equal((await a.getCluster()).sync.leader, undefined);
  });

  test('getCluster returns what was written; garbage member tolerated', async () => {
    const scope = `read${scopeSeq++}`;
    const a = client('pg1', scope);
    assert.equal(await a.initialize(true, '7000000000000000001'), true);
    assert.equal(await a.setConfigValue('{"ttl":30,"loop_wait":10}'), true);
    assert.equal(await a.attemptToAcquireLeader(), true);
    assert.equal(
      await a.touchMember({ conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', state: 'running', role: 'primary' }),
      true,
    );
    await rawPut(`/service/${scope}/members/junk`, '{this is not json');
    await rawPut(`/service/${scope}/history`, '[[1,100,"r"]]');
    for (const fresh of [true, false]) {
      const c = await waitFor(
        'cache to catch up',
        async () => {
          const cl = await a.getCluster({ fresh });
          return cl.members.length === 2 && cl.history ? cl : undefined;
        },
        10_000,
        50,
      );
      assert.equal(c.initialize, '7000000000000000001');
      assert.deepEqual(c.config?.data, { ttl: 30, loop_wait: 10 });
      assert.equal(c.leader?.name, 'pg1');
      assert.equal(c.leader?.member?.data.role, 'primary');
      assert.deepEqual(c.members.find((m) => m.name === 'junk')?.data, {});
      assert.equal(c.history?.lines.length, 1);
    }
    assert.equal(await a.deleteCluster(), true);
    assert.deepEqual((await a.getCluster({ fresh: true })).members, []);
  });
});

describe('Etcd3 with etcd stopped', () => {
  test('operations throw DcsError', async () => {
    const server = await startEtcd();
    const c = new Etcd3({
      scope: 'down',
      namespace: 'service',
      name: 'a',
      hosts: [server.hostPort],
      protocol: 'http',
      ttl: 20,
      loopWait: 2,
      retryTimeout: 3,
      mode: 'daemon',
    });
    try {
      assert.equal(await c.attemptToAcquireLeader(), true);
      await server.stop();
      await assert.rejects(c.getCluster({ fresh: true }), DcsError);
      await assert.rejects(c.attemptToAcquireLeader(), DcsError);
      await assert.rejects(c.updateLeader(EMPTY_CLUSTER), DcsError);
    } finally {
      await c.close();
      await server.stop();
    }
  });
});
