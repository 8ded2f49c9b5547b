// ZooKeeper as production secures it: a TLS-only client port that requires client certificates, and
// Patroni's `zookeeper:` security keys (use_ssl, cacert, cert, key, verify, set_acls). Three of our
// nodes bootstrap and fail over on it; every znode they create carries the set_acls ACL (read back
// with getACL), which a client with another certificate cannot read or write; patronictl lists the
// cluster over TLS; --validate-config accepts the keys. Then Debian's Patroni 3.0.2 and ours share a
// scope on the same ZooKeeper. One ZooKeeper for the file, one cluster per describe.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import zk, { type ACL, type Client } from 'node-zookeeper-client';
import { stringify } from 'yaml';
import { normalizeDcs } from '../../../src/config/normalize-dcs.js';
import { DcsError } from '../../../src/dcs/dcs.js';
import { createDcs } from '../../../src/dcs/factory.js';
import { zkTimeouts } from '../../../src/dcs/zookeeper/timeouts.js';
import { zkTlsOptions } from '../../../src/dcs/zookeeper/tls.js';
import type { ZkSession } from '../../../src/dcs/zookeeper/session.js';
import { installTransport } from '../../../src/dcs/zookeeper/transport.js';
import type { JsonObject } from '../../../src/util/json.js';
import { startCluster, TS_DAEMON, type ClusterNode, type Impl, type TestCluster } from '../../support/cluster/index.js';
import { makeCerts, signCert, type TestCerts } from '../../support/certs.js';
import { assertListShowsLeader, ours } from '../../support/ctl/run.js';
import { startZooKeeper, type DcsServer } from '../../support/dcs-servers.js';
import { skipAsRoot } from '../../support/skip.js';
import { makeTempDir, sleep, waitFor } from '../../support/tmp.js';

const SCOPE = 'zk-tls';
const DIGEST_USER = 'admin:secret';
/** ZooKeeper's digest id: user:base64(sha1(user:password)). */
const DIGEST_ID = `admin:${createHash('sha1').update(DIGEST_USER).digest('base64')}`;
const SET_ACLS = { 'CN=client': ['ALL'], [`digest:${DIGEST_ID}`]: ['READ', 'WRITE'] };
const EXPECTED_ACL = [
  { permission: 31, scheme: 'x509', id: 'CN=client' },
  { permission: 1 | 2, scheme: 'digest', id: DIGEST_ID },
];

/** Another client certificate from the same CA (a member of nothing: its x509 id is CN=intruder). */
const signedCert = (dir: string, cn: string) => signCert(dir, cn, cn, 'IP:127.0.0.1', 'clientAuth');

const dir = makeTempDir('zk-tls');
let certs: TestCerts;
let server: (DcsServer & { securePort?: number }) | undefined;
let cluster: TestCluster | undefined;
const rawClients: Client[] = [];

/** The section our nodes and patronictl use: the TLS port, client certificate, set_acls. */
const section = (): JsonObject => {
  const zkSection = server!.section.zookeeper as JsonObject;
  return { ...zkSection, set_acls: SET_ACLS };
};

/** A plain library client over TLS with the given certificate (and digest credentials). */
async function rawClient(cert: { cert: string; key: string }, digest?: string): Promise<Client> {
  const c = zk.createClient(`127.0.0.1:${server!.securePort}`, { sessionTimeout: 10_000, spinDelay: 200, retries: 0 });
  installTransport(c, {
    tls: () => zkTlsOptions({ verify: true, cacert: certs.ca, cert: cert.cert, key: cert.key }, (p) => readFileSync(p, 'utf8')),
    timeouts: () => zkTimeouts({ ttl: 10, loopWait: 4 }),
  });
  if (digest) c.addAuthInfo('digest', Buffer.from(digest));
  rawClients.push(c);
  const connected = new Promise<void>((resolve) => c.once('connected', () => resolve()));
  c.connect();
  await Promise.race([
    connected,
    sleep(20_000).then(() => {
      throw new Error('raw TLS client did not connect');
    }),
  ]);
  return c;
}

/** The library's callback API as a promise resolving to the ZooKeeper error code (0 = ok). */
function code(fn: (cb: (e: { code?: number } | null | undefined) => void) => void): Promise<number> {
  return new Promise((resolve) => fn((e) => resolve(e ? (typeof e.code === 'number' ? e.code : -1) : 0)));
}

function getAcl(c: Client, path: string): Promise<{ permission: number; scheme: string; id: string }[]> {
  return new Promise((resolve, reject) =>
    c.getACL(path, (e, acls: ACL[]) => {
      if (e) reject(e);
      else resolve(acls.map((a) => ({ permission: a.permission, scheme: a.id.scheme, id: a.id.id })));
    }),
  );
}

async function streamsFrom(node: ClusterNode, leader: ClusterNode, on: TestCluster = cluster!): Promise<void> {
  await on.waitUntil(
    `${node.name} streaming from ${leader.name}`,
    async () => {
      const [s, l] = [await node.status(), await leader.status()];
      return s?.role === 'replica' && s.state === 'running' && s.timeline === l?.timeline ? true : undefined;
    },
    120_000,
  );
}

before(async () => {
  certs = makeCerts(dir.path);
  server = await startZooKeeper({ tls: certs });
});
after(async () => {
  for (const c of rawClients) {
    try {
      c.close();
    } catch {
      // never connected
    }
  }
  await server?.stop();
  dir.remove();
});

describe('3 patroni-ts nodes on a ZooKeeper that requires TLS client certificates, with set_acls', { skip: skipAsRoot }, () => {
  before(async () => {
    cluster = await startCluster({
      impl: 'ts',
      nodes: 3,
      etcd: server!.asEtcd,
      scope: SCOPE,
      staggered: true,
      nodeOverrides: () => ({ etcd3: null, zookeeper: section() }),
    });
  });
  after(async () => {
    await cluster?.remove();
  });

  test('bootstrap over TLS: one leader, two streaming replicas', async () => {
    const leader = await cluster!.waitForLeader();
    const replicas = await cluster!.waitForReplicasStreaming(2);
    assert.ok(!replicas.includes(leader));
  });

  test('--validate-config accepts use_ssl, cacert, cert, key, verify and set_acls', () => {
    const r = spawnSync(process.execPath, [TS_DAEMON, '--validate-config', '-i', cluster!.nodes[0]!.configPath], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /zookeeper|not supported/i);
  });

  test('every znode created carries the set_acls ACL; another certificate cannot read or write it', async () => {
    const base = `/service/${SCOPE}`;
    const member = await rawClient({ cert: certs.clientCert, key: certs.clientKey });
    await waitFor(
      'the leader znode',
      async () => (await code((cb) => member.exists(`${base}/leader`, undefined, (e, stat) => cb(e ?? (stat ? null : { code: -101 }))))) === 0,
      30_000,
    );
    // Parents made on the way (kazoo's makepath), persistent keys, and the ephemeral leader and members.
    for (const path of ['/service', base, `${base}/config`, `${base}/initialize`, `${base}/leader`, `${base}/members`, `${base}/members/node1`]) {
      assert.deepEqual(await getAcl(member, path), EXPECTED_ACL, path);
    }

    const intruder = await rawClient(signedCert(dir.path, 'intruder'));
    const NO_AUTH = zk.Exception.NO_AUTH;
    assert.equal(await code((cb) => intruder.getData(`${base}/config`, undefined, cb)), NO_AUTH);
    assert.equal(await code((cb) => intruder.setData(`${base}/config`, Buffer.from('{}'), -1, cb)), NO_AUTH);
    assert.equal(await code((cb) => intruder.setData(`${base}/leader`, Buffer.from('intruder'), -1, cb)), NO_AUTH);
    assert.equal(await code((cb) => intruder.remove(`${base}/leader`, -1, cb)), NO_AUTH);
    assert.equal(await code((cb) => intruder.create(`${base}/failover`, Buffer.from('{}'), zk.ACL.OPEN_ACL_UNSAFE, zk.CreateMode.PERSISTENT, cb)), NO_AUTH);

    // The digest principal of set_acls may read and write, not create.
    const withDigest = await rawClient(signedCert(dir.path, 'operator'), DIGEST_USER);
    const current = await new Promise<Buffer>((resolve, reject) =>
      withDigest.getData(`${base}/config`, undefined, (e, data) => (e ? reject(e) : resolve(data ?? Buffer.alloc(0)))),
    );
    assert.equal(await code((cb) => withDigest.setData(`${base}/config`, current, -1, cb)), 0);
    assert.equal(await code((cb) => withDigest.create(`${base}/failover`, Buffer.from('{}'), zk.ACL.OPEN_ACL_UNSAFE, zk.CreateMode.PERSISTENT, cb)), NO_AUTH);

    // Without a client certificate the server does not even complete the handshake.
    const noCert = normalizeDcs({ zookeeper: { ...section(), cert: null, key: null } });
    const anonymous = await createDcs({ scope: SCOPE, namespace: '/service/', name: 'anon', dcs: noCert, ttl: 10, loopWait: 2, retryTimeout: 3 }, 'ctl');
    try {
      await assert.rejects(anonymous.getCluster({ fresh: true }), DcsError);
    } finally {
      await anonymous.close();
    }
  });

  test('patronictl list over TLS from the config section', async () => {
    const leader = await cluster!.waitForLeader();
    const file = join(cluster!.dir, 'patronictl-zk-tls.yaml');
    writeFileSync(file, stringify({ scope: SCOPE, zookeeper: section() }));
    const r = await ours(['-c', file, 'list']);
    assertListShowsLeader(r, 3, leader.name);
  });

  test('crash of the leader: exactly one new leader over TLS, the other replica follows it', async () => {
    const c = cluster!;
    await c.waitForReplicasStreaming(2);
    const old = await c.waitForLeader();
    old.crash();
    const next = await c.waitForNewLeader(old);
    for (let i = 0; i < 10; i++) {
      const primaries = (await c.statuses()).filter(({ status }) => status?.role === 'primary' && status.state === 'running');
      assert.ok(primaries.length <= 1, `two primaries: ${primaries.map((p) => p.node.name).join(', ')}`);
      await sleep(300);
    }
    const other = c.nodes.find((n) => n !== old && n !== next)!;
    await streamsFrom(other, next);
  });

  test('a new ttl opens a new session with that timeout (set_ttl); the leader znode moves to it', async () => {
    const a = await createDcs(
      { scope: 'zk-tls-ttl', namespace: '/service/', name: 'a', dcs: normalizeDcs({ zookeeper: section() }), ttl: 10, loopWait: 2, retryTimeout: 3 },
      'daemon',
    );
    try {
      assert.equal(await a.attemptToAcquireLeader(), true);
      const session = (a as unknown as { session: ZkSession }).session;
      const first = session.sessionId;
      assert.equal(session.negotiatedTimeoutMs, 10_000);
      a.setTimeouts({ ttl: 14, loopWait: 2, retryTimeout: 3 });
      await waitFor('a new session', async () => session.sessionId !== undefined && session.sessionId !== first, 20_000, 100);
      assert.equal(session.negotiatedTimeoutMs, 14_000);
      await waitFor(
        'the leader znode on the new session',
        async () => {
          await a.updateLeader(await a.getCluster({ fresh: true }));
          return (await a.getCluster({ fresh: true })).leader?.session === session.sessionId;
        },
        20_000,
        200,
      );
    } finally {
      await a.close();
    }
  });

  // Last: it freezes the shared ZooKeeper. The library alone has no read timeout: on a frozen server
  // whose TCP connection stays open it would wait forever. Patroni's _kazoo_connect rule drops the
  // connection when a ping goes unanswered for max(loop_wait - 2, 2) s (then the next server is tried).
  test('a ZooKeeper that stops answering (SIGSTOP, connection left open) is dropped by the ping rule', async () => {
    const c = await rawClient({ cert: certs.clientCert, key: certs.clientKey });
    let dropped = false;
    c.on('disconnected', () => {
      dropped = true;
    });
    const pid = server!.asEtcd.process.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor('the client to drop the frozen connection', async () => dropped, 60_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});

// Patroni 3.0.2 (Debian) knows only x509 principals in set_acls (the scheme:credential form is 4.x).
describe("Debian's Patroni and patroni-ts mixed on the TLS ZooKeeper with x509 set_acls", { skip: skipAsRoot }, () => {
  const scope = 'zk-tls-mixed';
  const implFor = (i: number): Impl => (i === 2 ? 'ts' : 'debian');
  let mixed: TestCluster | undefined;
  const x509Section = (): JsonObject => ({ ...(server!.section.zookeeper as JsonObject), set_acls: { 'CN=client': ['ALL'] } });
  before(async () => {
    mixed = await startCluster({
      impl: 'ts',
      implFor,
      nodes: 3,
      etcd: server!.asEtcd,
      scope,
      staggered: true,
      nodeOverrides: () => ({ etcd3: null, zookeeper: x509Section() }),
    });
  });
  after(async () => {
    await mixed?.remove();
  });

  test('bootstrap under the Debian leader, a switchover to ours and back; both write the same ACL', async () => {
    const c = mixed!;
    const first = await c.waitForLeader();
    assert.equal(first.impl, 'debian');
    await c.waitForReplicasStreaming(2);
    const tsNode = c.node('node2');
    const file = join(c.dir, 'patronictl-zk-tls-mixed.yaml');
    writeFileSync(file, stringify({ scope, zookeeper: x509Section() }));
    let r = await ours(['-c', file, 'switchover', scope, '--leader', first.name, '--candidate', tsNode.name, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await c.waitForNewLeader(first), tsNode);
    await streamsFrom(first, tsNode, c);
    const member = await rawClient({ cert: certs.clientCert, key: certs.clientKey });
    const x509All = [{ permission: 31, scheme: 'x509', id: 'CN=client' }];
    // node1's member znode is Debian's; node2's and the leader znode now are ours.
    for (const path of ['members/node1', 'members/node2', 'leader']) assert.deepEqual(await getAcl(member, `/service/${scope}/${path}`), x509All, path);
    await c.waitForReplicasStreaming(2);
    r = await ours(['-c', file, 'switchover', scope, '--leader', tsNode.name, '--candidate', first.name, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await c.waitForNewLeader(tsNode), first);
    await streamsFrom(tsNode, first, c);
  });
});
