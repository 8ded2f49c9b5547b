// The drop-in promise on a live cluster: a 3-node Debian Patroni 3.0.2 cluster with a client writing
// throughout is migrated node by node to patroni-ts (replicas first, a switchover to one of ours, then
// the former leader); in the mixed cluster a switchover and a crash failover go both ways (Patroni to
// ours, ours to Patroni); then the way back to Patroni, node by node. The invariants are the ones of
// `npm run chaos` (chaos/invariants.ts), fed by its writer and split-brain probes: no acknowledged commit
// lost (synchronous_mode, so not even on a crash) and never two nodes accepting writes at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { findDoublePrimaries, judgeLoss, parseTimelineHistory, type AcceptedWrite } from '../../../chaos/invariants.js';
import { PROBE_TABLE, Sampler } from '../../../chaos/sampler.js';
import { WRITES_TABLE, Writer } from '../../../chaos/writer.js';
import type { WriteTarget } from '../../../chaos/node.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { ClusterNode, startCluster, SUPERUSER, type Impl, type TestCluster } from '../../support/cluster/index.js';
import { isObject } from '../../../src/util/json.js';
import { waitFor } from '../../support/tmp.js';
import { ours } from '../../support/ctl/run.js';
import { ctlConfig } from '../../support/patronictl.js';

describe('rolling migration Debian Patroni 3.0.2 <-> patroni-ts under a writer', () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  const accepted: AcceptedWrite[] = [];
  let writer: Writer | undefined;
  let sampler: Sampler | undefined;
  const steps: string[] = [];

  const c = () => cluster!;
  /** The writer and the probes address nodes by name: the same ports whichever daemon runs there. */
  const targets = (): WriteTarget[] =>
    ['node1', 'node2', 'node3'].map((name) => ({
      name,
      get apiUrl() {
        return c().node(name).apiUrl;
      },
      pgClient: (timeoutMs: number) =>
        new pg.Client({
          host: '127.0.0.1',
          port: c().node(name).pgPort,
          database: 'postgres',
          user: SUPERUSER.username,
          password: SUPERUSER.password,
          connectionTimeoutMillis: timeoutMs,
          query_timeout: timeoutMs,
        }),
    }));
  const impls = () =>
    c()
      .nodes.map((n) => `${n.name}:${n.impl}`)
      .join(' ');
  const log = (what: string) => {
    steps.push(what);
    console.log(`[migration] ${what} (${impls()})`);
  };

  /** One leader, two replicas streaming from it and both listed as synchronous standbys. */
  async function settled(): Promise<ClusterNode> {
    await c().waitForReplicasStreaming(2);
    return c().waitUntil(
      'two synchronous standbys',
      async () => {
        const leader = await c().leader();
        if (!leader) return undefined;
        const { json } = await leader.api('/cluster');
        const members = isObject(json) && Array.isArray(json.members) ? json.members : [];
        const sync = members.filter((m) => isObject(m) && m.role === 'sync_standby');
        return sync.length === 2 ? leader : undefined;
      },
      90_000,
    );
  }

  /** Stop one node's daemon and start the other implementation on the same config and data directory. */
  async function swap(name: string, impl: Impl): Promise<void> {
    const old = c().node(name);
    assert.notEqual((await c().leader())?.name, name, `${name} is not the leader when it is swapped`);
    await old.stop();
    old.close();
    const fresh = new ClusterNode(impl, { name, dir: old.dir, restPort: old.restPort, pgPort: old.pgPort }, old.config);
    c().nodes.splice(c().nodes.indexOf(old), 1, fresh);
    await fresh.start();
    await settled();
    log(`${name} now runs ${impl === 'ts' ? 'patroni-ts' : "Debian's Patroni"}`);
  }

  async function switchover(to: string): Promise<void> {
    const leader = await settled();
    const res = await leader.api('/switchover', { method: 'POST', body: JSON.stringify({ leader: leader.name, candidate: to }) });
    assert.equal(res.status, 200, `switchover ${leader.name} (${leader.impl}) -> ${to}: ${res.text}`);
    await c().waitUntil(`${to} leads`, async () => ((await c().leader())?.name === to ? true : undefined), 90_000);
    await settled();
    log(`switchover ${leader.name} (${leader.impl}) -> ${to} (${c().node(to).impl})`);
  }

  /** kill -9 of the leader's daemon and postmaster; `expected` must take over; the crashed node rejoins. */
  async function crashFailover(expected: string, keepDown: string[] = []): Promise<void> {
    const leader = await settled();
    for (const n of keepDown) await c().node(n).stop();
    if (keepDown.length) {
      // The leader drops the stopped member from the sync key before the crash: only `expected` remains in it.
      await c().waitUntil(
        `${expected} alone in the sync set`,
        async () => {
          const { json } = await leader.api('/cluster');
          const members = isObject(json) && Array.isArray(json.members) ? json.members : [];
          const sync = members.filter((m) => isObject(m) && m.role === 'sync_standby').map((m) => (isObject(m) ? m.name : ''));
          return sync.length === 1 && sync[0] === expected ? true : undefined;
        },
        60_000,
      );
    }
    leader.crash();
    const next = await c().waitForNewLeader(leader, 120_000);
    assert.equal(next.name, expected);
    await leader.start();
    for (const n of keepDown) await c().node(n).start();
    await settled();
    log(`crash failover ${leader.name} (${leader.impl}) -> ${next.name} (${next.impl})`);
  }

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'debian',
      nodes: 3,
      etcd,
      staggered: true,
      scope: 'migration',
      dcs: { synchronous_mode: true, synchronous_node_count: 2 },
    });
    const leader = await settled();
    await leader.sql(`CREATE TABLE ${WRITES_TABLE} (id bigint PRIMARY KEY, at timestamptz DEFAULT now())`);
    await leader.sql(`CREATE TABLE ${PROBE_TABLE} (node text, at timestamptz DEFAULT now())`);
    writer = new Writer(targets(), accepted);
    sampler = new Sampler(targets(), accepted);
    writer.start();
    sampler.start();
    await waitFor('the writer commits', async () => (writer?.commits.length ?? 0) > 20, 30_000);
    log('Debian Patroni 3.0.2 cluster up, writer running');
  });
  after(async () => {
    await writer?.stop();
    await sampler?.stop();
    await cluster?.remove();
    await etcd?.stop();
  });

  test('Patroni -> patroni-ts: replicas first, switchover to ours, then the former leader', async () => {
    assert.equal((await settled()).name, 'node1');
    await swap('node3', 'ts');
    await swap('node2', 'ts');
    await switchover('node2');
    await progress();
  });

  test('mixed cluster: switchover and crash failover in both directions', async () => {
    // node1 runs Patroni, node2 (leader) and node3 run patroni-ts.
    await switchover('node1'); // ours -> Patroni
    await switchover('node3'); // Patroni -> ours
    await crashFailover('node1', ['node2']); // ours (node3) crashes -> Patroni (node1) takes over
    await crashFailover('node2', ['node3']); // Patroni (node1) crashes -> ours (node2)
    await progress();
    // patronictl explain on the mixed cluster: Patroni's members have no GET /explain, ours report their cycle.
    const r = await ours(['-c', ctlConfig(c()), 'explain', '-f', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const view = JSON.parse(r.stdout) as { leader: string; members: { name: string; outlook: string; lastDecision: { message: string } | null }[] };
    assert.equal(view.leader, 'node2');
    const by = new Map(view.members.map((m) => [m.name, m]));
    assert.equal(by.get('node1')?.lastDecision, null);
    assert.match(by.get('node3')?.lastDecision?.message ?? '', /I am \(node3\), a secondary/);
    assert.ok(['would_lead', 'eligible'].includes(by.get('node1')?.outlook ?? ''), r.stdout);
  });

  test('finish the migration: the former leader last', async () => {
    await swap('node1', 'ts');
    assert.deepEqual(
      c().nodes.map((n) => n.impl),
      ['ts', 'ts', 'ts'],
    );
    await progress();
  });

  test('the way back, patroni-ts -> Patroni: replicas first, switchover to Patroni, then the former leader', async () => {
    const leader = (await settled()).name;
    const replicas = ['node1', 'node2', 'node3'].filter((n) => n !== leader);
    for (const r of replicas) await swap(r, 'debian');
    await switchover(replicas[0]!);
    await swap(leader, 'debian');
    assert.deepEqual(
      c().nodes.map((n) => n.impl),
      ['debian', 'debian', 'debian'],
    );
    await progress();
  });

  test('invariants of npm run chaos: no acknowledged commit lost, never two writable primaries', async () => {
    await writer!.stop();
    await sampler!.stop();
    const doubles = findDoublePrimaries(accepted);
    assert.deepEqual(doubles, [], 'two nodes accepted writes at the same time');
    const leader = await settled();
    const [tl] = await leader.sql<{ tl: number }>(`SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int AS tl`);
    const timeline = tl?.tl ?? 1;
    const historyFile = `pg_wal/${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`;
    const history =
      timeline > 1 ? parseTimelineHistory((await leader.sql<{ text: string }>('SELECT pg_read_file($1) AS text', [historyFile]))[0]?.text ?? '') : [];
    const present = new Set((await leader.sql<{ id: string }>(`SELECT id::text FROM ${WRITES_TABLE}`)).map((r) => Number(r.id)));
    const missing = writer!.commits.filter((x) => !present.has(x.id));
    const report = judgeLoss(missing, timeline, history, { kind: 'strict' });
    assert.deepEqual(report.violations, []);
    assert.equal(report.lost.length, 0);
    console.log(
      `[migration] ${writer!.commits.length} acknowledged commits, none lost; ${accepted.length} accepted writes, no overlap; timeline ${timeline}; steps: ${steps.length}`,
    );
    assert.ok(writer!.commits.length > 100);
  });

  /** The writer keeps committing on the current leader after each phase. */
  async function progress(): Promise<void> {
    const before = writer!.commits.length;
    await waitFor('the writer commits on the new topology', async () => writer!.commits.length > before + 10, 60_000);
  }
});
