// etcd found through DNS SRV (`srv`, `srv_suffix`), as Patroni's _get_machines_cache_from_srv: a real
// DNS server started here on a free loopback UDP port, real etcd, our daemons and patronictl pointed
// at the DNS server with PATRONI_TS_DNS_SERVERS. SRV targets are `localhost`: the names are then
// resolved by the system when connecting, as in Patroni.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { JsonObject } from '../../../src/util/json.js';
import { DNS_SERVERS_ENV } from '../../../src/dcs/srv-discovery.js';
import { makeCerts, type TestCerts } from '../../support/certs.js';
import { startCluster, TS_DAEMON, type TestCluster } from '../../support/cluster/index.js';
import { ours } from '../../support/ctl/run.js';
import { startEtcd2, type DcsServer } from '../../support/dcs-servers.js';
import { startTestDns, type TestDns } from '../../support/dns-server.js';
import { makeTempDir, waitFor } from '../../support/tmp.js';

const dir = makeTempDir('etcd-srv');
let dns: TestDns;
let plain: DcsServer;
let secure: DcsServer;
let certs: TestCerts;
const clusters: TestCluster[] = [];

const portOf = (hostPort: string): number => Number(hostPort.split(':').pop());

/** The peer port of a one-member etcd, from its own member list. */
async function peerPortOf(server: DcsServer): Promise<number> {
  const r = await fetch(`${server.asEtcd.endpoint}/v2/members`);
  const body = (await r.json()) as { members: Array<{ peerURLs: string[] }> };
  const url = body.members[0]?.peerURLs[0];
  if (!url) throw new Error('etcd has no peer URL');
  return Number(new URL(url).port);
}

/** A TCP forwarder to etcd that the test can take away (an etcd proxy whose host went down). */
async function startForwarder(targetPort: number): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

before(async () => {
  certs = makeCerts(dir.path, { dnsNames: ['localhost'] });
  [dns, plain, secure] = await Promise.all([startTestDns(), startEtcd2(), startEtcd2({ tls: certs })]);
  dns.setA('localhost', '127.0.0.1');
  // `srv.test`: the client record. `-blue` (srv_suffix): only the peer record, answered by GET /members.
  dns.setSrv('_etcd-client._tcp.srv.test', [{ target: 'localhost', port: portOf(plain.asEtcd.hostPort), priority: 0, weight: 0 }]);
  dns.setSrv('_etcd-server-blue._tcp.srv.test', [{ target: 'localhost', port: await peerPortOf(plain), priority: 0, weight: 0 }]);
});

after(async () => {
  for (const c of clusters) await c.remove();
  await Promise.all([dns?.close(), plain?.stop(), secure?.stop()]);
  dir.remove();
});

test('etcd3: one node through _etcd-client, one through _etcd-server-blue /members; they replicate', async () => {
  const cluster = await startCluster({
    impl: 'ts',
    nodes: 2,
    etcd: plain.asEtcd,
    scope: 'srv3',
    startNodes: false,
    nodeOverrides: (i): JsonObject => ({ etcd3: { hosts: null, srv: 'srv.test', ...(i === 2 ? { srv_suffix: 'blue' } : {}) } }),
  });
  clusters.push(cluster);
  // --validate-config accepts srv and srv_suffix.
  for (const n of cluster.nodes) {
    const r = spawnSync(process.execPath, [TS_DAEMON, '--validate-config', n.configPath], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  for (const n of cluster.nodes) {
    n.env = { [DNS_SERVERS_ENV]: dns.address };
    await n.start();
  }
  const leader = await cluster.waitForLeader();
  await cluster.waitForReplicasStreaming(1);
  assert.ok(dns.queries.includes('SRV _etcd-client._tcp.srv.test'), dns.queries.join('\n'));
  assert.ok(dns.queries.includes('SRV _etcd-server-blue._tcp.srv.test'), dns.queries.join('\n'));

  // patronictl -c with the same srv section finds the cluster through the DNS server.
  const ctlConfig = join(cluster.dir, 'ctl-srv.yaml');
  writeFileSync(ctlConfig, stringify({ scope: 'srv3', etcd3: { srv: 'srv.test', srv_suffix: 'blue' } }));
  const asked = dns.queries.length;
  const list = await ours(['-c', ctlConfig, 'list'], { env: { [DNS_SERVERS_ENV]: dns.address } });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${leader.name}\\s.*Leader`));
  assert.match(list.stdout, /node1/);
  assert.match(list.stdout, /node2/);
  assert.ok(dns.queries.slice(asked).includes('SRV _etcd-server-blue._tcp.srv.test'));
});

test('etcd v2 over TLS: no record yet -> "waiting on etcd"; _etcd-client-ssl appears -> https, the node bootstraps', async () => {
  const cluster = await startCluster({
    impl: 'ts',
    nodes: 1,
    etcd: secure.asEtcd,
    scope: 'srv2',
    startNodes: false,
    // No protocol configured: the -ssl record alone makes it https, as in Patroni.
    nodeOverrides: () => ({ etcd3: null, etcd: { srv: 'tls.test', cacert: certs.ca, cert: certs.clientCert, key: certs.clientKey } }),
  });
  clusters.push(cluster);
  const [node] = cluster.nodes;
  assert.ok(node);
  node.env = { [DNS_SERVERS_ENV]: dns.address };
  await node.start();
  await waitFor(
    '"waiting on etcd"',
    async () => {
      const log = node.logTail(200);
      return log.includes('Can not resolve SRV for tls.test') && log.includes('waiting on etcd');
    },
    60_000,
    250,
  );
  assert.equal(node.running, true, 'a DNS failure is waited out, not fatal');
  dns.setSrv('_etcd-client-ssl._tcp.tls.test', [{ target: 'localhost', port: portOf(secure.asEtcd.hostPort), priority: 0, weight: 0 }]);
  await cluster.waitForLeader();
  // The leader key is in etcd's v2 key space, reached over https.
  const ctlConfig = join(cluster.dir, 'ctl-srv.yaml');
  writeFileSync(ctlConfig, stringify({ scope: 'srv2', etcd: { srv: 'tls.test', cacert: certs.ca, cert: certs.clientCert, key: certs.clientKey } }));
  const list = await ours(['-c', ctlConfig, 'list'], { env: { [DNS_SERVERS_ENV]: dns.address } });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /node1\s.*Leader/);
});

for (const kind of ['etcd3', 'etcd'] as const)
  test(`${kind}: every endpoint gone: DNS is asked again (use_proxies: the SRV answer only) and the leader keeps its lock`, async () => {
    const first = await startForwarder(portOf(plain.asEtcd.hostPort));
    const second = await startForwarder(portOf(plain.asEtcd.hostPort));
    try {
      const domain = `${kind}.proxy.test`;
      dns.setSrv(`_etcd-client._tcp.${domain}`, [{ target: 'localhost', port: first.port, priority: 0, weight: 0 }]);
      const section = { srv: domain, use_proxies: true };
      const cluster = await startCluster({
        impl: 'ts',
        nodes: 1,
        etcd: plain.asEtcd,
        scope: `srv-proxy-${kind}`,
        startNodes: false,
        nodeOverrides: (): JsonObject => (kind === 'etcd3' ? { etcd3: { hosts: null, ...section } } : { etcd3: null, etcd: section }),
      });
      clusters.push(cluster);
      const [node] = cluster.nodes;
      assert.ok(node);
      node.env = { [DNS_SERVERS_ENV]: dns.address };
      await node.start();
      assert.equal(await cluster.waitForLeader(), node);
      const timeline = async () => ((await (await fetch(`${node.apiUrl}/patroni`)).json()) as { timeline?: number }).timeline;
      const before = await timeline();
      // The proxy host is replaced in DNS, then the old one goes away.
      dns.setSrv(`_etcd-client._tcp.${domain}`, [{ target: 'localhost', port: second.port, priority: 0, weight: 0 }]);
      await first.close();
      await waitFor('requests through the new proxy', async () => second.connections() > 0, 60_000, 100);
      // Still the same primary on the same timeline: no demotion while the endpoint moved.
      await waitFor(
        'the leader key refreshed through the new proxy',
        async () => {
          const r = await fetch(`${node.apiUrl}/primary`).catch(() => undefined);
          return r?.status === 200;
        },
        30_000,
        250,
      );
      assert.equal(await timeline(), before);
      assert.doesNotMatch(node.logTail(400), /[Dd]emot/);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
