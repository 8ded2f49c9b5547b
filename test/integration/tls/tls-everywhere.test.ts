// TLS everywhere (issue 10): the shared tls-everywhere.yml, rewritten only for ports, paths
// and test timings, runs unchanged. Certificates are made by openssl here; etcd requires client
// certificates; PostgreSQL has ssl=on and a pg_hba with only `hostssl ... clientcert=verify-ca` lines
// (plus `local` for the socket); every auth section is verify-ca with client certificates; the REST
// API is HTTPS with verify_client: required. node1 and node2 use the unix socket for their own
// session, node3 does not (its session goes over TCP with TLS). One cluster for the whole file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { PG_BIN_DIR, REPO_ROOT, startCluster, TS_DAEMON, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { trackChild, trackDataDir } from '../../support/cluster/reaper.js';
import { ours } from '../../support/ctl/run.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { freePorts } from '../../support/ports.js';
import { makeTempDir, waitFor } from '../../support/tmp.js';
import { makeCerts, type TestCerts } from '../../support/tls.js';
import { isObject, mergePatch, type JsonObject } from '../../../src/util/json.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;
/** A copy of /work/shared/configs (the production-like configurations), kept in the repo for CI. */
const SHARED = join(REPO_ROOT, 'test/fixtures/shared-configs');
const TEMPLATE = join(SHARED, 'tls-everywhere.yml');
/** The template's own scope: env-style.env describes a fourth node of this very cluster. */
const SCOPE = 'orders';

/** The shared config with its hosts, ports, paths and timings replaced; nothing else changes. */
function tlsConfig(template: JsonObject, node: ClusterNode, etcdHostPort: string, certs: TestCerts, useSocket: boolean): JsonObject {
  const doc = JSON.parse(
    JSON.stringify(template)
      .replaceAll('/etc/patroni/tls/etcd-ca.crt', certs.ca)
      .replaceAll('/etc/patroni/tls/etcd-client.crt', certs.clientCert)
      .replaceAll('/etc/patroni/tls/etcd-client.key', certs.clientKey)
      .replaceAll('/etc/patroni/tls/server.crt', certs.serverCert)
      .replaceAll('/etc/patroni/tls/server.key', certs.serverKey)
      .replaceAll('/etc/patroni/tls/ca.crt', certs.ca)
      .replaceAll('/etc/patroni/tls/client.crt', certs.clientCert)
      .replaceAll('/etc/patroni/tls/client.key', certs.clientKey),
  ) as JsonObject;
  const pg = doc.postgresql as JsonObject;
  return mergePatch(doc, {
    name: node.name,
    restapi: { listen: `127.0.0.1:${node.restPort}`, connect_address: `127.0.0.1:${node.restPort}` },
    etcd3: { hosts: etcdHostPort },
    bootstrap: {
      dcs: {
        ttl: 20,
        loop_wait: 2,
        retry_timeout: 5,
        postgresql: { parameters: { max_connections: 50, max_wal_senders: 10, max_replication_slots: 10, wal_keep_size: '64MB' } },
      },
    },
    postgresql: {
      listen: `127.0.0.1:${node.pgPort}`,
      connect_address: `127.0.0.1:${node.pgPort}`,
      data_dir: node.dataDir,
      bin_dir: PG_BIN_DIR,
      pgpass: join(node.dir, 'pgpass'),
      use_unix_socket: useSocket,
      pg_hba: (pg.pg_hba as string[]).map((l) => l.replace(/10\.0\.\d+\.0\/\d+/, '127.0.0.1/32')),
      parameters: { unix_socket_directories: node.dir, shared_buffers: '16MB', fsync: 'off' },
    },
  });
}

describe('TLS everywhere: the shared tls-everywhere.yml on a 3-node cluster', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let certs: TestCerts;
  let ctlConfig = '';
  const tmp = makeTempDir('tls');
  /** libpq's PG* variables: how patronictl query (Patroni's, and ours) gets its TLS settings. */
  let pgEnv: NodeJS.ProcessEnv = {};

  before(async () => {
    const certDir = join(tmp.path, 'certs');
    mkdirSync(certDir, { mode: 0o700 });
    certs = makeCerts(certDir);
    pgEnv = { PGSSLMODE: 'verify-ca', PGSSLROOTCERT: certs.ca, PGSSLCERT: certs.clientCert, PGSSLKEY: certs.clientKey, PGPASSWORD: 'super-secret' };
    etcd = await startEtcd({ tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey } });
    const template = parse(readFileSync(TEMPLATE, 'utf8'), { version: '1.1' }) as JsonObject;
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: SCOPE, startNodes: false });
    for (const [i, n] of cluster.nodes.entries()) {
      n.writeConfig(tlsConfig(template, n, etcd.hostPort, certs, i < 2));
      n.useTls({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    }
    ctlConfig = join(tmp.path, 'patronictl.yml');
    writeFileSync(ctlConfig, readFileSync(cluster.nodes[0]!.configPath));
    const [first, ...rest] = cluster.nodes;
    await first!.start();
    await cluster.waitForLeader(120_000);
    for (const n of rest) await n.start();
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
    tmp.remove();
  });

  const ctl = (args: string[], env: NodeJS.ProcessEnv = {}) => ours(['-c', ctlConfig, ...args], { env });

  test('--validate-config accepts each rewritten file; each daemon reaches its PostgreSQL over the socket or TLS', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    for (const n of c.nodes) {
      const v = spawnSync(process.execPath, [TS_DAEMON, '--validate-config', '-i', n.configPath], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stderr);
    }
    const ssl = await leader.sql<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    assert.equal(ssl[0]?.ssl, true, 'the test client itself is on TLS');
    // The daemon's own session: plain on the unix socket (node1, node2), TLS with its client certificate
    // over TCP where use_unix_socket is off (node3).
    for (const n of c.nodes) {
      const own = await waitFor(
        `${n.name}'s own session`,
        async () => {
          const rows = await n.sql<{ ssl: boolean; tcp: boolean; dn: string | null }>(
            "SELECT s.ssl, a.client_port <> -1 AND a.client_addr IS NOT NULL AS tcp, s.client_dn AS dn FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'Patroni'",
          );
          return rows[0];
        },
        30_000,
      );
      const socket = n !== c.nodes[2];
      assert.deepEqual(
        { ssl: own.ssl, tcp: own.tcp, cert: own.dn !== null },
        socket ? { ssl: false, tcp: false, cert: false } : { ssl: true, tcp: true, cert: true },
        n.name,
      );
    }
  });

  test('bootstrap 3 nodes; replicas stream over TLS with client certificates; a row reaches both', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const replicas = await c.waitForReplicasStreaming(2, 180_000);
    await leader.sql('CREATE TABLE tls_rows (id int primary key, note text)');
    await leader.sql("INSERT INTO tls_rows VALUES (1, 'over TLS')");
    for (const r of replicas) {
      const rows = await waitFor(
        `row on ${r.name}`,
        async () => {
          const found = await r.sql<{ note: string }>('SELECT note FROM tls_rows WHERE id = 1').catch(() => []);
          return found.length ? found : undefined;
        },
        30_000,
      );
      assert.equal(rows[0]?.note, 'over TLS');
    }
    const walSenders = await leader.sql<{ n: string }>(
      'SELECT count(*)::text AS n FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE s.ssl AND s.client_dn IS NOT NULL',
    );
    assert.equal(walSenders[0]?.n, '2', 'both walreceivers use TLS and present a client certificate');
  });

  test('patronictl with client certificates: list over etcd TLS, query over PostgreSQL TLS', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const list = await ctl(['list']);
    assert.equal(list.code, 0, list.stderr);
    for (const n of c.nodes) assert.match(list.stdout, new RegExp(`\\| ${n.name} `));
    const q = await ctl(['query', '-U', 'postgres', '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], pgEnv);
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stdout, /\bTrue\b/, q.stdout);
    const byMember = await ctl(['query', '-U', 'postgres', '-m', leader.name, '-c', 'SELECT 40 + 2'], pgEnv);
    assert.match(byMember.stdout, /\b42\b/, byMember.stdout + byMember.stderr);
    // Without the client certificate the server refuses: the query names the failure instead of hanging.
    const refused = await ctl(['query', '-U', 'postgres', '-c', 'SELECT 1'], { PGPASSWORD: 'super-secret', PGSSLMODE: 'require' });
    assert.match(refused.stdout, /ERROR|certificate|pg_hba/, refused.stdout);
  });

  test('switchover through the REST API that requires client certificates', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    await c.waitForReplicasStreaming(2, 120_000);
    const candidate = c.nodes.find((n) => n !== old && n.name === 'node3') ?? c.nodes.find((n) => n !== old)!;
    const r = await ctl(['switchover', SCOPE, '--leader', old.name, '--candidate', candidate.name, '--force']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const next = await c.waitForNewLeader(old);
    assert.equal(next.name, candidate.name);
    await c.waitUntil(
      `${old.name} streaming from ${next.name}`,
      async () => {
        const s = await old.status();
        return s?.role === 'replica' && s.replication_state === 'streaming' ? true : undefined;
      },
      120_000,
    );
  });

  let crashed: ClusterNode | undefined;

  test('crash failover: the race probes peers over mutual TLS and the healthiest replica wins', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    await c.waitForReplicasStreaming(2, 120_000);
    await old.sql("INSERT INTO tls_rows VALUES (2, 'before the crash')");
    old.crash();
    const next = await c.waitForNewLeader(old);
    const explain = await next.api('/explain');
    assert.equal(explain.status, 200);
    const other = c.nodes.find((n) => n !== old && n !== next)!;
    const reasons = weighingReasons(explain.json);
    assert.equal(reasons.find((r) => r.member === next.name)?.eligible, true, explain.text);
    // The other replica answered the probe over mTLS: its WAL position was weighed, it was not "not reachable".
    const theirs = reasons.find((r) => r.member === other.name);
    assert.equal(theirs?.eligible, true, explain.text);
    assert.notEqual(theirs?.code, 'unreachable', explain.text);
    assert.match(theirs?.why ?? '', /^WAL position/, explain.text);
    const rows = await next.sql<{ note: string }>('SELECT note FROM tls_rows WHERE id = 2');
    assert.equal(rows[0]?.note, 'before the crash');
    await next.sql("INSERT INTO tls_rows VALUES (3, 'after the failover')");
    crashed = old;
  });

  test('the old primary is rewound over TLS (rewind user, verify-ca) and streams again', async () => {
    const c = cluster!;
    const old = crashed!;
    await old.start();
    await c.waitUntil(
      `${old.name} streaming again`,
      async () => {
        const s = await old.status();
        return s?.role === 'replica' && s.replication_state === 'streaming' ? true : undefined;
      },
      180_000,
    );
    assert.match(old.logTail(400), /running pg_rewind from node\d/);
    const rows = await waitFor(
      'row 3 on the rewound node',
      async () => {
        const found = await old.sql<{ note: string }>('SELECT note FROM tls_rows WHERE id = 3').catch(() => []);
        return found.length ? found : undefined;
      },
      30_000,
    );
    assert.equal(rows[0]?.note, 'after the failover');
  });

  test('env-style.env: a node described only by PATRONI_* strings joins the cluster (libpq TLS from PG* variables)', async () => {
    const c = cluster!;
    await c.waitForLeader();
    const env: NodeJS.ProcessEnv = {};
    for (const line of readFileSync(join(SHARED, 'env-style.env'), 'utf8').split('\n')) {
      const m = /^(PATRONI_[A-Z0-9_]+)=(.*)$/.exec(line);
      if (m) env[m[1] as string] = m[2];
    }
    const [restPort, pgPort] = (await freePorts(2)) as [number, number];
    const dir = join(tmp.path, 'env-node');
    mkdirSync(dir, { mode: 0o700 });
    const dataDir = join(dir, 'data');
    Object.assign(env, {
      PATRONI_RESTAPI_LISTEN: `127.0.0.1:${restPort}`,
      PATRONI_RESTAPI_CONNECT_ADDRESS: `127.0.0.1:${restPort}`,
      PATRONI_ETCD3_HOSTS: `'${etcd!.hostPort}'`,
      PATRONI_ETCD3_PROTOCOL: 'https',
      PATRONI_ETCD3_CACERT: certs.ca,
      PATRONI_ETCD3_CERT: certs.clientCert,
      PATRONI_ETCD3_KEY: certs.clientKey,
      PATRONI_POSTGRESQL_LISTEN: `127.0.0.1:${pgPort}`,
      PATRONI_POSTGRESQL_CONNECT_ADDRESS: `127.0.0.1:${pgPort}`,
      PATRONI_POSTGRESQL_DATA_DIR: dataDir,
      PATRONI_POSTGRESQL_BIN_DIR: PG_BIN_DIR,
      PATRONI_POSTGRESQL_PGPASS: join(dir, 'pgpass'),
    });
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PATRONI_') && !k.startsWith('PG')));
    const child = spawn(process.execPath, [TS_DAEMON], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...base, ...env, PGSSLCERT: certs.clientCert, PGSSLKEY: certs.clientKey, PGSSLROOTCERT: certs.ca },
    });
    trackChild(child);
    const untrack = trackDataDir(dataDir);
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const status = await waitFor(
        'the env-style node streaming',
        async () => {
          const s = await fetch(`http://127.0.0.1:${restPort}/patroni`).then(
            (r) => r.json() as Promise<JsonObject>,
            () => undefined,
          );
          return s?.role === 'replica' && s.replication_state === 'streaming' ? s : undefined;
        },
        180_000,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${output.slice(-4000)}`);
      });
      assert.equal((status.patroni as JsonObject).scope, 'orders');
      assert.match(output, /PATRONI_NOFAILOVER is not read by Patroni/);
      // The leader sees its walsender on TLS with the client certificate of PGSSLCERT.
      await waitFor(
        'a TLS walsender for pg-orders-3 on the leader',
        async () => {
          const rows = await (await c.waitForLeader()).sql<{ n: string }>(
            "SELECT count(*)::text AS n FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE r.application_name = 'pg-orders-3' AND s.ssl AND s.client_dn IS NOT NULL",
          );
          return rows[0]?.n === '1' ? true : undefined;
        },
        30_000,
      );
    } finally {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      untrack();
    }
    assert.doesNotMatch(output, /please report it as a BUG/);
  });
});

interface WeighedReason {
  member: string;
  eligible: boolean;
  code?: string;
  why: string;
}

/** The per-member reasons of the last leader race in a GET /explain answer. */
function weighingReasons(json: unknown): WeighedReason[] {
  const weighing = isObject(json) && isObject(json.lastWeighing) ? json.lastWeighing : undefined;
  const list = weighing && Array.isArray(weighing.reasons) ? weighing.reasons : [];
  return list.filter(isObject).map((r) => ({
    member: String(r.member),
    eligible: r.eligible === true,
    why: String(r.why),
    ...(typeof r.code === 'string' ? { code: r.code } : {}),
  }));
}
