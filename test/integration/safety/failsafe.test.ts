// DCS failsafe mode end to end (issue 12): etcd frozen (SIGSTOP: every request hangs, as in a network
// partition) for longer than ttl, against real PostgreSQL 15. One three-node cluster for the file, with a
// permanent physical slot whose replica copies must keep following the primary's while etcd is down.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { sleep, waitFor } from '../../support/tmp.js';
import { isObject, type JsonObject } from '../../../src/util/json.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;
const TTL = 20;

describe('failsafe mode', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let frozen = false;

  const freezeEtcd = () => {
    etcd!.process.kill('SIGSTOP');
    frozen = true;
  };
  const thawEtcd = () => {
    if (frozen) etcd!.process.kill('SIGCONT');
    frozen = false;
  };
  const isPrimary = async (n: ClusterNode): Promise<boolean> => {
    try {
      const [row] = await n.sql<{ r: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS r');
      return row?.r === false;
    } catch {
      return false;
    }
  };
  /** How far `fs_perm` on this member is behind `lsn` (bytes; null: no such slot or no position). */
  const permBehind = async (n: ClusterNode, lsn: string): Promise<number | null> => {
    const rows = await n
      .sql<{ d: string | null }>(
        "SELECT pg_catalog.pg_wal_lsn_diff($1::pg_lsn, restart_lsn)::text AS d FROM pg_catalog.pg_replication_slots WHERE slot_name = 'fs_perm'",
        [lsn],
      )
      .catch(() => []);
    return rows[0]?.d == null ? null : Number(rows[0].d);
  };
  const patchConfig = async (n: ClusterNode, patch: JsonObject) => {
    const r = await n.api('/config', { method: 'PATCH', body: JSON.stringify(patch) });
    assert.equal(r.status, 200, r.text);
  };
  /** A leader holding the lock with every other member streaming, and a full failsafe key. */
  const settled = async (): Promise<ClusterNode> => {
    const leader = await cluster!.waitForLeader(120_000);
    await cluster!.waitForReplicasStreaming(2, 120_000);
    await waitFor(
      'the failsafe key to list all members',
      async () => {
        const r = await leader.api('/failsafe');
        return r.status === 200 && isObject(r.json) && Object.keys(r.json).length === 3;
      },
      60_000,
    );
    return leader;
  };

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      scope: 'fs',
      staggered: true,
      ttl: TTL,
      loopWait: 2,
      retryTimeout: 5,
      dcs: { failsafe_mode: true, slots: { fs_perm: { type: 'physical' } } },
    });
  });
  after(async () => {
    thawEtcd();
    await cluster?.remove();
    await etcd?.stop();
  });

  test('etcd unreachable longer than ttl, every member answering: the primary stays writable', async () => {
    const leader = await settled();
    await leader.sql('CREATE TABLE IF NOT EXISTS fs_writes (at timestamptz DEFAULT now())');
    const others = cluster!.nodes.filter((n) => n !== leader);
    const [{ l: before } = { l: '0/0' }] = await leader.sql<{ l: string }>('SELECT pg_catalog.pg_current_wal_lsn()::text AS l');
    await waitFor(
      'a copy of the permanent slot on every replica',
      async () => {
        for (const o of others) if ((await permBehind(o, before)) === null) return false;
        return true;
      },
      60_000,
    );
    freezeEtcd();
    try {
      await waitFor('failsafe_mode_is_active on the primary', async () => (await leader.status())?.failsafe_mode_is_active === true, 30_000);
      // Move the permanent slot on the primary past everything the DCS ever saw (Ha._sync_replication_slots
      // with dcs_failed): the replicas' copies must follow from the failsafe heartbeat alone.
      await leader.sql('INSERT INTO fs_writes DEFAULT VALUES');
      await leader.sql('SELECT pg_catalog.pg_switch_wal()');
      await leader.sql('INSERT INTO fs_writes DEFAULT VALUES');
      const [{ l: target } = { l: '0/0' }] = await leader.sql<{ l: string }>(
        "SELECT end_lsn::text AS l FROM pg_catalog.pg_replication_slot_advance('fs_perm', pg_catalog.pg_current_wal_lsn())",
      );
      for (const o of others) assert.ok(((await permBehind(o, target)) ?? 0) > 0, `${o.name}'s copy of fs_perm is behind before the heartbeat`);
      const until = Date.now() + (TTL + 10) * 1000;
      let writes = 0;
      while (Date.now() < until) {
        await leader.sql('INSERT INTO fs_writes DEFAULT VALUES');
        writes++;
        await sleep(1000);
      }
      assert.ok(writes > TTL, `${writes} writes`);
      assert.equal(await isPrimary(leader), true);
      assert.equal((await leader.api('/primary')).status, 200);
      const metrics = (await leader.api('/metrics')).text;
      assert.match(metrics, /^patroni_failsafe_mode_is_active\{scope="fs",name="[^"]+"\} 1$/m);
      const fs = await leader.api('/failsafe');
      assert.deepEqual(Object.keys(fs.json as JsonObject).sort(), ['node1', 'node2', 'node3']);
      for (const o of others) {
        assert.equal(await isPrimary(o), false, `${o.name} must not be primary`);
        assert.equal((await o.status())?.failsafe_mode_is_active, true);
      }
      await leader.waitForLog(/continue to run as a leader because failsafe mode is enabled and all members are accessible/, 400);
      for (const o of others) {
        await waitFor(
          `${o.name}'s copy of fs_perm to reach ${target} with etcd down`,
          async () => {
            const behind = await permBehind(o, target);
            return behind !== null && behind <= 0;
          },
          20_000,
        ).catch(async (e: unknown) => {
          throw new Error(`${e instanceof Error ? e.message : String(e)}\n${await cluster!.report(60)}`);
        });
      }
    } finally {
      thawEtcd();
    }
    // etcd back: the same primary keeps (or takes back) the leader key, nobody else promoted.
    assert.equal(await settled(), leader);
    for (const o of others) assert.equal(await isPrimary(o), false);
  });

  test('etcd unreachable with one member silent: the primary demotes; a member started meanwhile is not promoted', async () => {
    const leader = await settled();
    const [silent, other] = cluster!.nodes.filter((n) => n !== leader) as [ClusterNode, ClusterNode];
    await silent.stop();
    freezeEtcd();
    try {
      await waitFor('the primary to demote', async () => !(await isPrimary(leader)), (TTL + 20) * 1000);
      await leader.waitForLog(/demot(ing|ed) self because DCS is not accessible and I was a leader/, 400);
      // No leader key and etcd down: a member starting now must not promote (nor must anyone else).
      await silent.start();
      const until = Date.now() + TTL * 1000;
      while (Date.now() < until) {
        for (const n of cluster!.nodes) assert.equal(await isPrimary(n), false, `${n.name} is primary while etcd is down`);
        await sleep(1000);
      }
    } finally {
      thawEtcd();
    }
    await settled();
    const primaries = (await Promise.all(cluster!.nodes.map(isPrimary))).filter(Boolean);
    assert.equal(primaries.length, 1, `one primary once etcd is back (${other.name} checked too)`);
  });

  test('failsafe_mode off: the primary demotes when etcd is unreachable', async () => {
    const leader = await settled();
    await patchConfig(leader, { failsafe_mode: false });
    await waitFor(
      'failsafe off everywhere',
      async () => {
        const all = await Promise.all(cluster!.nodes.map((n) => n.api('/config')));
        return all.every((r) => isObject(r.json) && r.json.failsafe_mode === false);
      },
      30_000,
    );
    // Every node runs with the new config (its own dynamic configuration, not the key): /metrics says so.
    await waitFor(
      'every node to apply failsafe_mode: false',
      async () => {
        const all = await Promise.all(cluster!.nodes.map((n) => n.api('/metrics')));
        return all.every((r) => /^patroni_failsafe_mode_enabled\{[^}]*\} 0$/m.test(r.text));
      },
      30_000,
    );
    freezeEtcd();
    try {
      await waitFor('the primary to demote', async () => !(await isPrimary(leader)), (TTL + 20) * 1000);
      for (const n of cluster!.nodes) assert.equal(await isPrimary(n), false);
      assert.notEqual((await leader.status())?.failsafe_mode_is_active, true);
    } finally {
      thawEtcd();
    }
    await cluster!.waitForLeader(120_000);
  });
});
