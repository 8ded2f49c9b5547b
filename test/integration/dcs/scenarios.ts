// The cluster scenarios every DCS backend must pass, shared by the per-backend files (etcd2,
// zookeeper, exhibitor; etcd3 has its own files): bootstrap and replication, patronictl against the
// backend (config section, --dcs-url, PATRONI_* variables), switchover, crash failover with exactly one
// new leader, rejoin, the DCS gone for longer than ttl demoting the primary, and recovery. Plus a mixed
// cluster with Debian's Patroni 3.0.2 on the same backend. One cluster per describe.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { JsonObject } from '../../../src/util/json.js';
import { startCluster, type ClusterNode, type Impl, type TestCluster } from '../../support/cluster/index.js';
import { assertListShowsLeader, ours } from '../../support/ctl/run.js';
import { startDcsServer, type BackendName, type DcsServer } from '../../support/dcs-servers.js';
import { skipAsRoot } from '../../support/skip.js';
import { sleep, waitFor } from '../../support/tmp.js';

/** The node YAML names this backend instead of the default etcd3 section. */
const onBackend = (server: DcsServer) => (): JsonObject => ({ etcd3: null, ...server.section });

function ctlConfigFile(c: TestCluster, server: DcsServer): string {
  const path = join(c.dir, `patronictl-${server.backend}.yaml`);
  writeFileSync(path, stringify({ scope: c.scope, ...server.section }));
  return path;
}

/** PATRONI_<SECTION>_<KEY> variables naming the same DCS (Patroni's env configuration). */
function envFor(server: DcsServer, scope: string): NodeJS.ProcessEnv {
  const [[section, value]] = Object.entries(server.section) as [[string, JsonObject]];
  const env: NodeJS.ProcessEnv = { PATRONI_SCOPE: scope };
  for (const [k, v] of Object.entries(value)) {
    env[`PATRONI_${section.toUpperCase()}_${k.toUpperCase()}`] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return env;
}

async function streamsFrom(c: TestCluster, node: ClusterNode, leader: ClusterNode): Promise<void> {
  await c.waitUntil(
    `${node.name} streaming from ${leader.name}`,
    async () => {
      const [s, l] = [await node.status(), await leader.status()];
      return s?.role === 'replica' &&
        s.state === 'running' &&
        s.timeline === l?.timeline &&
        (s.replication_state === undefined || s.replication_state === 'streaming')
        ? true
        : undefined;
    },
    120_000,
  );
}

/** No two nodes report a running primary at any of `samples` polls. */
async function assertSinglePrimary(c: TestCluster, samples: number): Promise<void> {
  for (let i = 0; i < samples; i++) {
    const primaries = (await c.statuses()).filter(({ status }) => (status?.role === 'primary' || status?.role === 'master') && status.state === 'running');
    assert.ok(primaries.length <= 1, `two primaries: ${primaries.map((p) => p.node.name).join(', ')}`);
    await sleep(300);
  }
}

export function describeBackendScenarios(backend: BackendName): void {
  describe(`3 patroni-ts nodes on ${backend}`, { skip: skipAsRoot }, () => {
    let server: DcsServer | undefined;
    let cluster: TestCluster | undefined;
    const scope = `on-${backend}`;
    before(async () => {
      server = await startDcsServer(backend);
      cluster = await startCluster({ impl: 'ts', nodes: 3, etcd: server.asEtcd, scope, staggered: true, nodeOverrides: onBackend(server) });
    });
    after(async () => {
      await cluster?.remove();
      await server?.stop();
    });

    test('bootstrap: one leader, two streaming replicas, a write is replicated', async () => {
      const c = cluster!;
      const leader = await c.waitForLeader();
      const replicas = await c.waitForReplicasStreaming(2);
      assert.ok(!replicas.includes(leader));
      await leader.sql('CREATE TABLE dcs_probe (id int primary key, note text)');
      await leader.sql("INSERT INTO dcs_probe VALUES (1, 'before')");
      for (const r of replicas) {
        await waitFor(`row on ${r.name}`, async () => (await r.sql('SELECT 1 FROM dcs_probe WHERE id = 1').catch(() => [])).length > 0, 30_000);
      }
    });

    test('patronictl list from the config section, --dcs-url and PATRONI_* variables', async () => {
      const c = cluster!;
      const s = server!;
      const leader = await c.waitForLeader();
      const runs = [
        await ours(['-c', ctlConfigFile(c, s), 'list']),
        await ours(['--dcs-url', s.dcsUrl, 'list', scope]),
        await ours(['list'], { env: envFor(s, scope) }),
      ];
      for (const r of runs) {
        assertListShowsLeader(r, 3, leader.name);
      }
    });

    test('patronictl edit-config reaches every node through the DCS', async () => {
      const c = cluster!;
      const r = await ours(['-c', ctlConfigFile(c, server!), 'edit-config', '--force', '-s', 'maximum_lag_on_failover=2097152']);
      assert.equal(r.code, 0, r.stderr);
      for (const n of c.nodes) {
        await waitFor(
          `${n.name} to apply the new config`,
          async () => {
            const cfg = await n.api('/config');
            return (cfg.json as JsonObject | undefined)?.maximum_lag_on_failover === 2097152;
          },
          30_000,
        );
      }
    });

    test('patronictl switchover to a named candidate', async () => {
      const c = cluster!;
      const old = await c.waitForLeader();
      await c.waitForReplicasStreaming(2);
      const candidate = c.nodes.find((n) => n !== old)!;
      const r = await ours(['-c', ctlConfigFile(c, server!), 'switchover', scope, '--leader', old.name, '--candidate', candidate.name, '--force']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await c.waitForNewLeader(old), candidate);
      await streamsFrom(c, old, candidate);
    });

    let crashed: ClusterNode | undefined;
    test('crash of the leader (daemon and postmaster): exactly one new leader, the other follows it', async () => {
      const c = cluster!;
      await c.waitForReplicasStreaming(2);
      const old = await c.waitForLeader();
      await old.sql("INSERT INTO dcs_probe VALUES (2, 'before the crash')");
      old.crash();
      crashed = old;
      const next = await c.waitForNewLeader(old);
      await assertSinglePrimary(c, 10);
      const other = c.nodes.find((n) => n !== old && n !== next)!;
      await streamsFrom(c, other, next);
      assert.equal((await next.sql<{ note: string }>('SELECT note FROM dcs_probe WHERE id = 2'))[0]?.note, 'before the crash');
    });

    test('the crashed node, started again, rejoins as a replica', async () => {
      const c = cluster!;
      const old = crashed!;
      await old.start();
      const leader = await c.waitForLeader();
      assert.notEqual(leader, old);
      await streamsFrom(c, old, leader);
    });

    test('the DCS gone for longer than ttl demotes the primary; back, the cluster recovers', async () => {
      const c = cluster!;
      const s = server!;
      await c.waitForReplicasStreaming(2);
      const old = await c.waitForLeader();
      const ttlMs = 20_000;
      const stoppedAt = Date.now();
      await s.pause();
      await c.waitUntil(
        `${old.name} to stop being a primary`,
        async () => {
          const st = await old.status();
          return st && st.role !== 'primary' && st.role !== 'master' ? true : undefined;
        },
        ttlMs + 30_000,
      );
      // The fault lasts longer than ttl: every lease and session has run out meanwhile.
      while (Date.now() - stoppedAt < ttlMs + 3000) {
        assert.equal(await c.leader(), undefined, 'no primary while the DCS is down');
        await sleep(1000);
      }
      await s.resume();
      const leader = await c.waitForLeader(120_000);
      await c.waitForReplicasStreaming(2, 180_000);
      await leader.sql("INSERT INTO dcs_probe VALUES (3, 'after the DCS came back')");
    });
  });
}

/** Debian's Patroni 3.0.2 and ours under one scope on this backend: bootstrap, then a switchover each way. */
export function describeMixedCluster(backend: BackendName): void {
  describe(`Debian's Patroni and patroni-ts mixed on ${backend}`, { skip: skipAsRoot }, () => {
    let server: DcsServer | undefined;
    let cluster: TestCluster | undefined;
    const scope = `mixed-${backend}`;
    const implFor = (i: number): Impl => (i === 2 ? 'ts' : 'debian');
    before(async () => {
      server = await startDcsServer(backend);
      cluster = await startCluster({ impl: 'ts', implFor, nodes: 3, etcd: server.asEtcd, scope, staggered: true, nodeOverrides: onBackend(server) });
    });
    after(async () => {
      await cluster?.remove();
      await server?.stop();
    });

    test('bootstrap under the Debian leader; a switchover to ours and back to Debian', async () => {
      const c = cluster!;
      const first = await c.waitForLeader();
      assert.equal(first.impl, 'debian');
      await c.waitForReplicasStreaming(2);
      const tsNode = c.node('node2');
      const cfg = ctlConfigFile(c, server!);
      let r = await ours(['-c', cfg, 'switchover', scope, '--leader', first.name, '--candidate', tsNode.name, '--force']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await c.waitForNewLeader(first), tsNode);
      await streamsFrom(c, first, tsNode);
      await c.waitForReplicasStreaming(2);
      r = await ours(['-c', cfg, 'switchover', scope, '--leader', tsNode.name, '--candidate', first.name, '--force']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await c.waitForNewLeader(tsNode), first);
      await streamsFrom(c, tsNode, first);
    });
  });
}
