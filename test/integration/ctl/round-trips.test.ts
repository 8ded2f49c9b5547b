// patronictl's start-up path (issue 18, item 1): `switchover --force` reads the cluster with one etcd
// request and then sends its POST; no API-version probe or member discovery before it. A recording
// proxy in front of a real etcd sees every etcd request; a recording HTTP endpoint stands in for the
// leader's REST API so the test sees exactly what the command sent and when.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { makeTempDir } from '../../support/tmp.js';
import { ours, writeCtlConfig } from '../../support/ctl/run.js';
import { seedPrimaryAndReplica } from '../../support/etcd3-seed.js';

interface Seen {
  at: number;
  what: string;
}

const seen: Seen[] = [];
let etcd: EtcdServer;
let proxy: http.Server;
let leaderApi: http.Server;
const closers: (() => Promise<void> | void)[] = [];

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

before(async () => {
  etcd = await startEtcd();
  const target = new URL(etcd.endpoint);
  proxy = http.createServer((req, res) => {
    seen.push({ at: Date.now(), what: `etcd ${req.url ?? ''}` });
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      // A watch cut short by etcd or by the client ends here, never as an unhandled 'error'.
      r.on('error', () => res.destroy());
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  leaderApi = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ at: Date.now(), what: `api ${req.method ?? ''} ${req.url ?? ''} ${body}` });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('Successfully switched over to "pg2"');
    });
  });
  const apiPort = await listen(leaderApi);
  const seeded = await seedPrimaryAndReplica({
    hostPort: etcd.hostPort,
    scope: 'rt',
    primaryApi: `http://127.0.0.1:${apiPort}/patroni`,
    replicaApi: 'http://127.0.0.1:1/patroni',
  });
  closers.push(() => seeded.close());
});

after(async () => {
  for (const c of closers) await c();
  proxy?.close();
  leaderApi?.close();
  await etcd?.stop();
});

test('switchover --force: one etcd read, then the POST; the trace names each step', async () => {
  const proxyPort = await listen(proxy);
  const home = makeTempDir('ctl-rt');
  closers.push(() => home.remove());
  const cfg = writeCtlConfig(home.path, 'rt', `127.0.0.1:${proxyPort}`);
  seen.length = 0;
  const r = await ours(['-c', cfg, 'switchover', '--candidate', 'pg2', '--force'], { env: { PATRONICTL_TRACE: '1', HOME: home.path } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Successfully switched over to "pg2"/);
  const post = seen.findIndex((s) => s.what.startsWith('api POST /switchover'));
  assert.ok(post >= 0, JSON.stringify(seen));
  assert.deepEqual(
    seen.slice(0, post).map((s) => s.what),
    ['etcd /v3/kv/range'],
    'etcd requests before the POST',
  );
  assert.deepEqual(JSON.parse(seen[post]?.what.replace(/^api POST \/switchover /, '') ?? ''), { leader: 'pg1', candidate: 'pg2' });
  // Patroni's output is unchanged by tracing (stderr only), and every step is there in order.
  const steps = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('trace '))
    .map((l) => l.replace(/^trace \S+ \S+ /, ''));
  assert.deepEqual(steps, ['modules loaded', 'config loaded', 'cluster read', 'POST /switchover to pg1', 'answer 200', 'done']);
});

test('without PATRONICTL_TRACE nothing extra is printed', async () => {
  const home = makeTempDir('ctl-rt2');
  closers.push(() => home.remove());
  const cfg = writeCtlConfig(home.path, 'rt', etcd.hostPort);
  const r = await ours(['-c', cfg, 'list'], { env: { HOME: home.path } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});
