// etcd v2 as production runs it: https with a private CA, client certificates, and v2 basic auth
// with the guest role stripped. Patroni's `etcd:` keys protocol/cacert/cert/key/username/password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { normalizeDcs } from '../../../src/config/normalize-dcs.js';
import { DcsError, type Dcs } from '../../../src/dcs/dcs.js';
import { createDcs } from '../../../src/dcs/factory.js';
import { isObject, type JsonObject } from '../../../src/util/json.js';
import { makeCerts, type TestCerts } from '../../support/certs.js';
import { startEtcd2, type DcsServer } from '../../support/dcs-servers.js';
import { makeTempDir } from '../../support/tmp.js';

const dir = makeTempDir('etcd2-tls');
let certs: TestCerts;
let server: DcsServer;
const clients: Dcs[] = [];

function put(path: string, body: string, auth?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.asEtcd.endpoint.replace('http:', 'https:')}${path}`,
      {
        method: 'PUT',
        ca: readFileSync(certs.ca),
        cert: readFileSync(certs.clientCert),
        key: readFileSync(certs.clientKey),
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function client(extra: JsonObject): Promise<Dcs> {
  const section = server.section.etcd;
  const dcs = normalizeDcs({ etcd: { ...(isObject(section) ? section : {}), ...extra } });
  const c = await createDcs({ scope: 'tls', namespace: 'service', name: 'a', dcs, ttl: 30, loopWait: 10, retryTimeout: 3 }, 'ctl');
  clients.push(c);
  return c;
}

before(async () => {
  certs = makeCerts(dir.path);
  server = await startEtcd2({ tls: certs });
  assert.equal(await put('/v2/auth/users/root', '{"user":"root","password":"secret"}'), 201);
  assert.equal(await put('/v2/auth/enable', ''), 200);
  assert.equal(await put('/v2/auth/roles/guest', '{"role":"guest","revoke":{"kv":{"read":["/*"],"write":["/*"]}}}', 'root:secret'), 200);
});
after(async () => {
  for (const c of clients) await c.close();
  await server?.stop();
  dir.remove();
});

test('https with client certificate and basic auth: the lock protocol works', async () => {
  const c = await client({ username: 'root', password: 'secret' });
  assert.equal(await c.attemptToAcquireLeader(), true);
  assert.equal(await c.setConfigValue('{"ttl":30}'), true);
  const cluster = await c.getCluster({ fresh: true });
  assert.equal(cluster.leader?.name, 'a');
  assert.deepEqual(cluster.config?.data, { ttl: 30 });
  assert.equal(await c.updateLeader(cluster), true);
});

test('no credentials: writes refused (false), reads a DCS error; an unknown CA cannot connect', async () => {
  const anonymous = await client({});
  assert.equal(await anonymous.setConfigValue('{"ttl":99}'), false);
  await assert.rejects(anonymous.getCluster({ fresh: true }), DcsError);
  const untrusted = await client({ username: 'root', password: 'secret', cacert: certs.clientCert });
  await assert.rejects(untrusted.getCluster({ fresh: true }), DcsError);
});
