// The Dcs contract on each non-etcd3 backend against a real server (etcd v2 API of etcd 3.4,
// ZooKeeper 3.8, Exhibitor in front of it): the lock race, CAS writes, create-only initialize,
// watch wake-ups, garbage tolerance and "DCS down" as DcsError. Select with DCS_BACKENDS=etcd2,...
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDcs } from '../../../src/config/normalize-dcs.js';
import { EMPTY_CLUSTER } from '../../../src/dcs/cluster.js';
import { DcsError, type Dcs } from '../../../src/dcs/dcs.js';
import { createDcs } from '../../../src/dcs/factory.js';
import { formatFailover } from '../../../src/dcs/format.js';
import { selectedBackends, startDcsServer, type DcsServer } from '../../support/dcs-servers.js';
import { waitFor } from '../../support/tmp.js';
import type { ZkSession } from '../../../src/dcs/zookeeper/session.js';
import zk, { type Client } from 'node-zookeeper-client';

/**
 * Close a session thief for good. node-zookeeper-client's close() neither cancels a pending reconnect nor
 * survives a lost socket (the CLOSE_SESSION goes nowhere): a thief left in that state reconnects later with
 * our session id and takes the session back and forth with our client forever, so the session never
 * expires. Stop its reconnect loop as ZkSession's shutdownClient does, then ask the server to close.
 */
function closeThief(thief: Client): void {
  const cm = (thief as unknown as { connectionManager: { socket?: { destroy(): void }; connect(): void; onSocketConnected(): void } }).connectionManager;
  cm.connect = () => {};
  cm.onSocketConnected = function (this: { socket?: { destroy(): void } }) {
    this.socket?.destroy();
  };
  try {
    thief.close();
  } catch {
    // no socket: nothing to tell the server
  }
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

for (const backend of selectedBackends()) {
  describe(`Dcs on ${backend}`, () => {
    let server: DcsServer;
    const clients: Dcs[] = [];
    let seq = 0;
    const client = async (name: string, scope: string, mode: 'daemon' | 'ctl' = 'daemon', ttl = 30): Promise<Dcs> => {
      const d = await createDcs({ scope, namespace: '/service/', name, dcs: normalizeDcs(server.section), ttl, loopWait: 2, retryTimeout: 5 }, mode);
      clients.push(d);
      return d;
    };
    before(async () => {
      server = await startDcsServer(backend);
    });
    after(async () => {
      for (const c of clients) await c.close();
      await server.stop();
    });

    test('leader race, update, delete', async () => {
      const scope = `race${seq++}`;
      const a = await client('a', scope);
      const b = await client('b', scope);
      const results = await Promise.all([a.attemptToAcquireLeader(), b.attemptToAcquireLeader()]);
      assert.equal(results.filter((r) => r).length, 1);
      const [winner, loser, winnerName] = results[0] ? [a, b, 'a'] : [b, a, 'b'];
      const cluster = await loser.getCluster({ fresh: true });
      assert.equal(cluster.leader?.name, winnerName);
      assert.equal(await loser.updateLeader(cluster), false);
      assert.equal(await winner.updateLeader(await winner.getCluster({ fresh: true }), { optime: 1234 }), true);
      const now = await loser.getCluster({ fresh: true });
      assert.equal(now.leader?.name, winnerName);
      assert.equal(now.status.optime, 1234);
      assert.equal(await loser.deleteLeader(now.leader), false);
      assert.equal((await loser.getCluster({ fresh: true })).leader?.name, winnerName);
      assert.equal(await winner.deleteLeader(now.leader), true);
      assert.equal((await loser.getCluster({ fresh: true })).leader, null);
      assert.equal(await loser.attemptToAcquireLeader(), true);
    });

    test('CAS writes and create-only initialize', async () => {
      const scope = `cas${seq++}`;
      const a = await client('a', scope, 'ctl');
      const b = await client('b', scope, 'ctl');
      const inits = await Promise.all([a.initialize(true, ''), b.initialize(true, '')]);
      assert.equal(inits.filter((r) => r).length, 1);
      assert.equal(await a.initialize(true, '7000000000000000001'), false);
      assert.equal(await a.initialize(false, '7000000000000000001'), true);
      assert.equal((await a.getCluster()).initialize, '7000000000000000001');
      assert.equal(await a.cancelInitialization(), true);
      assert.equal((await a.getCluster()).initialize, null);

      assert.equal(await a.setConfigValue('{"ttl":30}'), true);
      const v1 = (await a.getCluster()).config?.version;
      assert.ok(v1 !== undefined);
      assert.equal(await b.setConfigValue('{"ttl":40}', v1), true);
      assert.equal(await a.setConfigValue('{"ttl":50}', v1), false);
      assert.deepEqual((await a.getCluster()).config?.data, { ttl: 40 });

      assert.equal(await a.setFailoverValue('{"leader":"a"}'), true);
      const fv = (await a.getCluster()).failover?.version;
      assert.equal(await a.setFailoverValue('{}', '999'), false);
      assert.equal(await a.setFailoverValue('{}', fv), true);
      assert.equal((await a.getCluster()).failover, null);

      const sv = await a.setSyncStateValue('{"leader":"a","quorum":0,"sync_standby":"b"}');
      assert.ok(sv !== false);
      assert.equal(await a.setSyncStateValue('{"leader":"a","quorum":0,"sync_standby":null}', '999'), false);
      const sv2 = await a.setSyncStateValue('{"leader":"a","quorum":0,"sync_standby":"b,c"}', sv);
      assert.ok(sv2 !== false && sv2 !== sv);
      assert.deepEqual((await a.getCluster()).sync.members, ['b', 'c']);
      assert.equal(await a.deleteSyncState('999'), false);
      assert.equal(await a.deleteSyncState(sv2), true);
      assert.equal((await a.getCluster()).sync.leader, undefined);
      assert.equal(await a.setHistoryValue('[[1,100,"r"]]'), true);
      assert.equal((await a.getCluster()).history?.lines.length, 1);
    });

    test('members are published, updated and read back by every client', async () => {
      const scope = `touch${seq++}`;
      const a = await client('pg1', scope);
      const b = await client('pg2', scope);
      const data = { conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', state: 'running', role: 'replica' as const };
      assert.equal(await a.touchMember(data), true);
      assert.equal(await b.touchMember({ ...data, state: 'stopped' }), true);
      assert.equal(await a.touchMember({ ...data, state: 'starting' }), true);
      const seen = await waitFor(
        'b to see both members',
        async () => {
          const c = await b.getCluster();
          return c.members.length === 2 && c.members.find((m) => m.name === 'pg1')?.data.state === 'starting' ? c : undefined;
        },
        15_000,
        100,
      );
      assert.equal(seen.members.find((m) => m.name === 'pg2')?.data.state, 'stopped');
      assert.equal(await a.deleteCluster(), true);
    });

    test('watch wakes early on leader delete and on a failover write, else times out', async () => {
      const scope = `watch${seq++}`;
      const leader = await client('a', scope);
      const replica = await client('b', scope);
      assert.equal(await leader.attemptToAcquireLeader(), true);
      await waitFor('replica view to see the leader', async () => (await replica.getCluster()).leader?.name === 'a', 15_000, 50);
      // The wake-ups caused by the leader appearing: the view above may have come from a direct read
      // while the watch was not live yet, so they can still arrive. Once they are over, a watch times out.
      await waitFor('a quiet watch to time out', async () => (await replica.watch(300)) === false, 15_000, 0);

      let woke = replica.watch(30_000);
      assert.equal(await leader.deleteLeader((await leader.getCluster({ fresh: true })).leader), true);
      assert.equal(await within(woke, 10_000), true);
      await waitFor('replica view to lose the leader', async () => (await replica.getCluster()).leader === null, 10_000, 50);

      woke = replica.watch(30_000);
      assert.equal(await leader.setFailoverValue(formatFailover({ candidate: 'b' })), true);
      assert.equal(await within(woke, 10_000), true);
      assert.equal((await replica.getCluster()).failover?.candidate, 'b');
    });

    test('the leader key dies with its holder (ttl, or the session closing)', async () => {
      const scope = `expire${seq++}`;
      const a = await createDcs(
        { scope, namespace: '/service/', name: 'a', dcs: normalizeDcs(server.section), ttl: 3, loopWait: 1, retryTimeout: 3 },
        'daemon',
      );
      const watcher = await client('w', scope, 'ctl');
      assert.equal(await a.attemptToAcquireLeader(), true);
      assert.equal((await watcher.getCluster({ fresh: true })).leader?.name, 'a');
      // etcd: nobody refreshes the TTL; ZooKeeper: the session ends with the client.
      if (backend !== 'etcd2') await a.close();
      await waitFor('leader key to expire', async () => (await watcher.getCluster({ fresh: true })).leader === null, 20_000, 200);
      if (backend === 'etcd2') await a.close();
    });

    test('an expired session is replaced; the member and leader znodes come back on the new one', {
      skip: backend === 'etcd2' && 'ZooKeeper sessions only',
    }, async () => {
      const scope = `expired${seq++}`;
      const a = await createDcs(
        { scope, namespace: '/service/', name: 'a', dcs: normalizeDcs(server.section), ttl: 6, loopWait: 1, retryTimeout: 3 },
        'daemon',
      );
      clients.push(a);
      const data = { conn_url: 'postgres://127.0.0.1:5432/postgres', state: 'running', role: 'primary' as const };
      assert.equal(await a.attemptToAcquireLeader(), true);
      assert.equal(await a.touchMember(data), true);
      const session = (a as unknown as { session: ZkSession }).session;
      const creds = session.credentials();
      assert.ok(creds);
      const before = creds.id.toString('hex');
      // A second client with the same credentials closes the session: the server expires it for us.
      // Our own client may win the session back before the thief's close reaches the server: retry.
      const expired = async () => {
        const id = session.sessionId;
        return id !== undefined && id !== before;
      };
      for (let attempt = 0; attempt < 5 && !(await expired()); attempt++) {
        const thief = zk.createClient(server.asEtcd.hostPort, { sessionId: creds.id, sessionPassword: creds.password, sessionTimeout: 6000 });
        const outcome = await new Promise<'connected' | 'expired' | 'timeout'>((r) => {
          const t = setTimeout(() => r('timeout'), 5000);
          thief.once('connected', () => {
            clearTimeout(t);
            r('connected');
          });
          thief.once('expired', () => {
            clearTimeout(t);
            r('expired');
          });
          thief.connect();
        });
        closeThief(thief);
        if (outcome === 'expired') break; // the session is already gone on the server
        // 'timeout' says nothing about the session (a loaded machine, or our client took it back): try again.
        await waitFor('a new session', expired, 4000, 100).catch(() => undefined);
      }
      // Reported by the client as expired, or given up after ttl without a connection.
      await waitFor('a new session', expired, 20_000, 100);
      const watcher = await client('w', scope, 'ctl');
      await waitFor('ephemeral znodes of the old session to go', async () => (await watcher.getCluster({ fresh: true })).leader === null, 10_000, 100);
      assert.equal(await a.touchMember(data), true);
      assert.equal(await a.updateLeader(await a.getCluster()), true);
      const c = await watcher.getCluster({ fresh: true });
      assert.equal(c.leader?.name, 'a');
      assert.equal(c.leader?.session, session.sessionId);
      assert.equal(c.members.find((m) => m.name === 'a')?.session, session.sessionId);
    });

    test('re-publishing an unchanged member and leader keeps them alive past ttl', async () => {
      const scope = `renew${seq++}`;
      const a = await createDcs(
        { scope, namespace: '/service/', name: 'a', dcs: normalizeDcs(server.section), ttl: 3, loopWait: 1, retryTimeout: 3 },
        'daemon',
      );
      clients.push(a);
      const watcher = await client('w', scope, 'ctl');
      const data = { conn_url: 'postgres://127.0.0.1:5432/postgres', state: 'running', role: 'primary' as const };
      assert.equal(await a.attemptToAcquireLeader(), true);
      for (let i = 0; i < 6; i++) {
        assert.equal(await a.touchMember(data), true);
        const seen = await a.getCluster();
        assert.equal(await a.updateLeader(seen), true);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const c = await watcher.getCluster({ fresh: true });
      assert.equal(c.leader?.name, 'a');
      assert.deepEqual(
        c.members.map((m) => m.name),
        ['a'],
      );
    });

    test('garbage in a member key is tolerated', async () => {
      const scope = `junk${seq++}`;
      const a = await client('pg1', scope);
      const junk = await client('junk', scope, 'ctl');
      assert.equal(await junk.touchMember({}), true);
      // A raw non-JSON value through the same write path a broken peer would use.
      assert.equal(await junk.setHistoryValue('not json at all'), true);
      const c = await waitFor(
        'view to hold both',
        async () => {
          const cl = await a.getCluster();
          return cl.members.length === 1 ? cl : undefined;
        },
        10_000,
        50,
      );
      assert.equal(c.history, null);
    });
  });

  describe(`Dcs on ${backend} with the server stopped`, () => {
    test('operations throw DcsError', async () => {
      const server = await startDcsServer(backend);
      const c = await createDcs(
        { scope: 'down', namespace: 'service', name: 'a', dcs: normalizeDcs(server.section), ttl: 20, loopWait: 2, retryTimeout: 3 },
        'daemon',
      );
      try {
        // Exhibitor first has to be asked for the ensemble: wait until the DCS answers at all.
        await waitFor(
          'the DCS to answer',
          async () =>
            await c.getCluster({ fresh: true }).then(
              () => true,
              () => false,
            ),
          30_000,
          200,
        );
        assert.equal(await c.attemptToAcquireLeader(), true);
        await server.pause();
        await assert.rejects(c.getCluster({ fresh: true }), DcsError);
        await assert.rejects(c.attemptToAcquireLeader(), DcsError);
        await assert.rejects(c.updateLeader(EMPTY_CLUSTER), DcsError);
      } finally {
        await c.close();
        await server.stop();
      }
    });
  });
}
