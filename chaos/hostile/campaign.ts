// `npm run chaos -- --hostile`: a live 3-node cluster (real etcd, PostgreSQL and daemons) under a
// writer, then (1) thousands of hostile REST requests, slow clients and a connection flood, then
// (2) every DCS key overwritten with garbage in turn. Checked throughout: no daemon exits, the
// leader keeps its lease through (1) and one leader is back within ttl after each key of (2), no
// acknowledged write is lost. Runs as the postgres user (PostgreSQL refuses root).
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startEtcd, type EtcdServer } from '../../test/support/etcd.js';
import { startCluster, SUPERUSER, type ClusterNode, type TestCluster } from '../../test/support/cluster/index.js';
import { makeCa, signCert } from '../../test/support/certs.js';
import { makeTempDir, sleep, waitFor } from '../../test/support/tmp.js';
import { makeRng } from '../rng.js';
import { deleteKey, garbageFor, listKeys, putKey } from './dcs-garbage.js';
import { basicAuth, hostileRequest, rawRequest, type Credentials, type HostileKind } from './requests.js';
import { connectionFlood, sendRaw, slowClients, type Outcome, type Transport } from './sender.js';

export interface HostileOptions {
  seed: number;
  requests: number;
  concurrency: number;
  /** How long each garbage value stays in a key before the next (default loop_wait: every node runs a cycle on it). */
  garbagePauseMs?: number;
  /** REST API over TLS with a test CA (default true): adds handshakes with rogue certificates and garbage. */
  tls?: boolean;
  keep?: boolean;
  log?: (line: string) => void;
}

export interface HostileReport {
  seed: number;
  requests: number;
  outcomes: Record<Outcome, number>;
  byKind: Record<string, Partial<Record<Outcome, number>>>;
  slowClientsOpened: number;
  flood: { opened: number; refused: number };
  daemonExits: number;
  leaderChangesDuringRequests: number;
  leaderlessSamplesDuringRequests: number;
  dcsKeysAttacked: number;
  dcsGarbageWrites: number;
  dcsRecoveries: Array<{ key: string; recoveredMs: number | null }>;
  acknowledgedWrites: number;
  lostWrites: number;
  /** Processes of any node (postmaster and backends) whose environment holds a PATRONI_ variable. */
  leakedEnvironments: number;
  violations: string[];
}

const CREDS: Credentials = { username: 'admin', password: 'hostile-rest-secret' };
const TTL = 20;
const LOOP_WAIT = 2;

class Writer {
  readonly acked: number[] = [];
  private running = true;
  private loop: Promise<void>;
  constructor(private readonly cluster: TestCluster) {
    this.loop = this.run();
  }
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
  private async run(): Promise<void> {
    let id = 1;
    while (this.running) {
      const leader = await this.cluster.leader().catch(() => undefined);
      if (!leader) {
        await sleep(200);
        continue;
      }
      const c = new pg.Client({
        host: '127.0.0.1',
        port: leader.pgPort,
        user: SUPERUSER.username,
        password: SUPERUSER.password,
        database: 'postgres',
        connectionTimeoutMillis: 2000,
        query_timeout: 3000,
      });
      c.on('error', () => undefined); // a dropped connection shows as a failed query below
      try {
        await c.connect();
        while (this.running) {
          const n = id++;
          await c.query('INSERT INTO hostile_writes (id) VALUES ($1)', [n]);
          this.acked.push(n);
          await sleep(20);
        }
      } catch {
        await sleep(200);
      } finally {
        await c.end().catch(() => undefined);
      }
    }
  }
}

/** PATRONI_* in any process working in a node's data directory (the postmaster and its backends). */
function leakedEnvironments(nodes: readonly ClusterNode[]): number {
  return nodes.reduce((n, node) => n + procsIn(node.dataDir).filter((pid) => environOf(pid).some((v) => v.startsWith('PATRONI_'))).length, 0);
}

function procsIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`) === dir;
      } catch {
        return false;
      }
    })
    .map(Number);
}
function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return [];
  }
}

export async function runHostile(o: HostileOptions): Promise<HostileReport> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const rng = makeRng(o.seed);
  const violations: string[] = [];
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let certDir: { path: string; remove(): void } | undefined;
  try {
    etcd = await startEtcd();
    const tls = o.tls !== false;
    certDir = makeTempDir('hostile-certs');
    const certs = tls ? makeCerts(certDir.path) : undefined;
    // The harness's own checks (fetch of /patroni) accept the test CA's server certificates.
    if (tls) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd,
      ttl: TTL,
      loopWait: LOOP_WAIT,
      retryTimeout: 5,
      startNodes: false,
      scope: 'hostile',
      nodeOverrides: () => ({
        restapi: {
          authentication: { username: CREDS.username },
          ...(certs ? { certfile: certs.cert, keyfile: certs.key, cafile: certs.ca, verify_client: 'optional' } : {}),
        },
      }),
    });
    // The REST password only in the environment: it must reach no child process. Peers trust the test CA.
    for (const n of cluster.nodes)
      n.env = { PATRONI_RESTAPI_PASSWORD: CREDS.password, ...(certs ? { NODE_EXTRA_CA_CERTS: certs.ca, NODE_TLS_REJECT_UNAUTHORIZED: '1' } : {}) };
    const rogue = certs ? { cert: readFileSync(certs.rogueCert), key: readFileSync(certs.rogueKey) } : undefined;
    // verify_client optional: writes need a client certificate of our CA (Patroni answers 403 without one).
    const good: Transport = certs ? { kind: 'tls-client-cert', cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) } : { kind: 'plain' };
    const [first, ...rest] = cluster.nodes;
    await first?.start();
    const leader = await cluster.waitForLeader();
    for (const n of rest) await n.start();
    await cluster.waitForReplicasStreaming(2);
    await leader.sql('CREATE TABLE hostile_writes (id bigint PRIMARY KEY)');
    log(`hostile: cluster up, leader ${leader.name}; ${o.requests} requests, concurrency ${o.concurrency}, seed ${o.seed}`);

    const writer = new Writer(cluster);
    let daemonExits = 0;
    const alive = (): boolean => {
      const dead = cluster?.nodes.filter((n) => !n.running) ?? [];
      if (dead.length > 0) {
        daemonExits += dead.length;
        for (const d of dead) violations.push(`daemon ${d.name} exited:\n${d.logTail(30)}`);
      }
      return dead.length === 0;
    };

    // (1) REST abuse, leader sampled throughout.
    let sampling = true;
    let leaderChanges = 0;
    let leaderless = 0;
    const sampler = (async () => {
      let last = leader.name;
      while (sampling) {
        const l = await cluster?.leader().catch(() => undefined);
        if (!l) leaderless++;
        else if (l.name !== last) {
          leaderChanges++;
          last = l.name;
        }
        await sleep(500);
      }
    })();
    const slow = cluster.nodes.map((n) => slowClients(n.restPort, 50));
    const flood = await connectionFlood(leader.restPort, 1100);
    const outcomes: Record<Outcome, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, 'tls-alert': 0, malformed: 0, closed: 0, timeout: 0 };
    const byKind: Record<string, Partial<Record<Outcome, number>>> = {};
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < o.requests) {
        const i = sent++;
        const node = cluster?.nodes[i % 3];
        if (!node) return;
        const req = hostileRequest(rng, CREDS, tls);
        const transport: Transport =
          !tls || req.carrier === 'plain' ? { kind: 'plain' } : req.carrier === 'rogue-client-cert' && rogue ? { kind: 'tls-client-cert', ...rogue } : good;
        const { outcome, head } = await sendRaw(node.restPort, req.bytes, transport);
        outcomes[outcome]++;
        const k = (byKind[req.kind] ??= {});
        k[outcome] = (k[outcome] ?? 0) + 1;
        if (outcome === 'malformed') violations.push(`${req.kind}: malformed response ${JSON.stringify(head)}`);
        if (outcome === 'tls-alert' && req.carrier === 'normal') violations.push(`${req.kind}: TLS alert on a well-formed handshake`);
        if (outcome === '2xx' && !okToAccept(req.kind))
          violations.push(`${req.kind}: ${req.bytes.subarray(0, 120).toString('latin1').split('\r\n')[0]} accepted (${head.split('\r\n')[0]})`);
        if (i % 1000 === 999) log(`hostile: ${i + 1} requests sent`);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    const slowOpened = slow.reduce((n, s) => n + s.stillOpen(), 0);
    slow.forEach((s) => s.stop());
    sampling = false;
    await sampler;
    alive();
    if (leaderChanges > 0) violations.push(`the leader changed ${leaderChanges} time(s) during the REST abuse`);
    // Undo the valid changes the abuse makes (odd timeouts).
    const restore = await sendRaw(
      leader.restPort,
      rawRequest(
        'PATCH',
        '/config',
        [
          ['Content-Type', 'application/json'],
          ['Authorization', basicAuth(CREDS)],
        ],
        JSON.stringify({ ttl: TTL, loop_wait: LOOP_WAIT, retry_timeout: 5 }),
      ),
      good,
    );
    if (restore.outcome !== '2xx') violations.push(`restoring ttl: ${restore.head.split('\r\n')[0]}`);
    log(`hostile: REST phase done: ${JSON.stringify(outcomes)}; leader changes ${leaderChanges}, daemon exits ${daemonExits}`);
    log(`hostile: by kind: ${JSON.stringify(byKind)}`);

    // (2) DCS garbage, key by key.
    const prefix = `/service/${cluster.scope}/`;
    const keys = (await listKeys(etcd.endpoint, prefix)).filter((k) => !k.key.endsWith('/initialize'));
    const recoveries: HostileReport['dcsRecoveries'] = [];
    let garbageWrites = 0;
    // Keys that may not exist yet are attacked too (restored by deleting them).
    const extra = ['failover', 'sync', 'history'].map((n) => `${prefix}${n}`).filter((key) => !keys.some((k) => k.key === key));
    for (const k of [...keys, ...extra.map((key) => ({ key, value: '', lease: '0' }))]) {
      for (const [label, value] of garbageFor(k.key)) {
        await putKey(etcd.endpoint, k.key, value);
        garbageWrites++;
        await sleep(o.garbagePauseMs ?? LOOP_WAIT * 1000);
        if (!alive()) violations.push(`after ${label} in ${k.key}`);
      }
      // Restore: keys bound to a lease are deleted (their owner writes them again), others put back.
      if (k.lease !== '0' || k.value === '') await deleteKey(etcd.endpoint, k.key);
      else await putKey(etcd.endpoint, k.key, k.value);
      const started = Date.now();
      let recoveredMs: number | null = null;
      try {
        await waitFor(`one leader after garbage in ${k.key}`, async () => cluster?.leader(), (TTL + 30) * 1000, 250);
        recoveredMs = Date.now() - started;
      } catch {
        violations.push(`no leader within ttl + 30 s after garbage in ${k.key}`);
      }
      recoveries.push({ key: k.key.slice(prefix.length), recoveredMs });
      log(`hostile: ${k.key.slice(prefix.length)}: ${garbageFor(k.key).length} garbage values, leader back in ${recoveredMs ?? 'never'} ms`);
    }
    alive();

    // Writes: every acknowledged id on the final leader.
    await writer.stop();
    const final = await cluster.waitForLeader();
    const rows = await final.sql<{ id: string }>('SELECT id FROM hostile_writes');
    const present = new Set(rows.map((r) => Number(r.id)));
    const lost = writer.acked.filter((id) => !present.has(id));
    if (lost.length > 0) violations.push(`${lost.length} acknowledged write(s) lost, e.g. ${lost.slice(0, 5).join(', ')}`);
    const leaked = leakedEnvironments(cluster.nodes);
    if (leaked > 0) violations.push(`${leaked} PostgreSQL process(es) carry PATRONI_* in their environment`);
    return {
      seed: o.seed,
      requests: sent,
      outcomes,
      byKind,
      slowClientsOpened: slowOpened,
      flood,
      daemonExits,
      leaderChangesDuringRequests: leaderChanges,
      leaderlessSamplesDuringRequests: leaderless,
      dcsKeysAttacked: recoveries.length,
      dcsGarbageWrites: garbageWrites,
      dcsRecoveries: recoveries,
      acknowledgedWrites: writer.acked.length,
      lostWrites: lost.length,
      leakedEnvironments: leaked,
      violations,
    };
  } finally {
    if (!o.keep) await cluster?.remove();
    await etcd?.stop();
    certDir?.remove();
  }
}

/** Kinds for which a 2xx is a right answer (GETs of random paths may hit health checks). */
function okToAccept(kind: HostileKind): boolean {
  return kind === 'random-method' || kind === 'random-path' || kind === 'huge-ttl' || kind === 'bad-headers' || kind === 'tls-rogue-client-cert';
}

/** A CA, a server and a client certificate signed by it, and a self-signed client certificate it never signed. */
function makeCerts(dir: string): Record<'ca' | 'cert' | 'key' | 'clientCert' | 'clientKey' | 'rogueCert' | 'rogueKey', string> {
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  makeCa(dir, 'hostile-ca');
  signCert(dir, 'server', '127.0.0.1', 'IP:127.0.0.1', 'serverAuth');
  signCert(dir, 'client', 'client', 'IP:127.0.0.1', 'clientAuth');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=rogue', '-keyout', f('rogue.key'), '-out', f('rogue.crt'));
  for (const n of ['ca.crt', 'server.crt', 'server.key']) chmodSync(f(n), 0o644); // the daemons run as this user too
  return {
    ca: f('ca.crt'),
    cert: f('server.crt'),
    key: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    rogueCert: f('rogue.crt'),
    rogueKey: f('rogue.key'),
  };
}

export function formatHostileReport(r: HostileReport): string {
  const lines = [
    `hostile run, seed ${r.seed}`,
    `  REST requests: ${r.requests}  ${Object.entries(r.outcomes)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
    ...Object.entries(r.byKind)
      .sort()
      .map(
        ([k, v]) =>
          `    ${k.padEnd(24)} ${Object.entries(v)
            .map(([o, n]) => `${o}=${n}`)
            .join(' ')}`,
      ),
    `  slow clients still open at the end: ${r.slowClientsOpened}; connection flood: ${r.flood.opened} opened, ${r.flood.refused} refused`,
    `  leader changes during REST abuse: ${r.leaderChangesDuringRequests}; leaderless samples: ${r.leaderlessSamplesDuringRequests}`,
    `  DCS keys attacked: ${r.dcsKeysAttacked}, garbage writes: ${r.dcsGarbageWrites}; slowest recovery: ${Math.max(0, ...r.dcsRecoveries.map((x) => x.recoveredMs ?? Infinity))} ms`,
    `  daemon exits: ${r.daemonExits}; acknowledged writes: ${r.acknowledgedWrites}, lost: ${r.lostWrites}; processes with PATRONI_* in their environment: ${r.leakedEnvironments}`,
    `  violations: ${r.violations.length}`,
    ...r.violations.map((v) => `    - ${v}`),
  ];
  return lines.join('\n');
}
