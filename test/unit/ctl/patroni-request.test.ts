// Patroni's PatroniRequest rules (issue 10), for patronictl and for the daemon's calls to its peers,
// against a real HTTPS server with a private CA made by openssl.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configurePeerRequests, getPeerJson, requestPatroni } from '../../../src/util/patroni-request.js';
import { makeCerts, type TestCerts } from '../../support/tls.js';

describe('PatroniRequest over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patroni-ts-req-'));
  let certs: TestCerts;
  let strict: Server;
  let open: Server;
  let seen: Array<string | undefined> = [];
  const url = (s: Server, host = '127.0.0.1') => `https://${host}:${(s.address() as AddressInfo).port}/patroni`;

  before(async () => {
    certs = makeCerts(dir);
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      seen.push(req.headers.authorization);
      res.end('{"role": "replica"}');
    };
    const tls = { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey), ca: readFileSync(certs.ca) };
    strict = createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, handler);
    open = createServer(tls, handler);
    await Promise.all([strict, open].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  });
  after(async () => {
    await Promise.all([strict, open].map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the daemon presents ctl.certfile to a peer that requires client certificates (verify_client: required)', async () => {
    configurePeerRequests({ ctl: { certfile: certs.clientCert, keyfile: certs.clientKey, cacert: certs.ca } });
    assert.deepEqual(await getPeerJson(url(strict), 2000), { status: 200, body: { role: 'replica' } });
    configurePeerRequests({});
    assert.equal(await getPeerJson(url(strict), 2000), null, 'without a client certificate the peer refuses');
    // An encrypted client key opens with ctl.keyfile_password.
    const enc = join(dir, 'client-enc.key');
    execFileSync('openssl', ['pkey', '-in', certs.clientKey, '-aes256', '-passout', 'pass:key-secret', '-out', enc]);
    configurePeerRequests({ ctl: { certfile: certs.clientCert, keyfile: enc, keyfile_password: 'key-secret', cacert: certs.ca } });
    assert.equal((await getPeerJson(url(strict), 2000))?.status, 200);
    configurePeerRequests({});
  });

  test('without a client certificate the daemon does not verify peers; with one it checks the chain, not the host name', async () => {
    configurePeerRequests({});
    assert.equal((await getPeerJson(url(open), 2000))?.status, 200, 'private CA unknown to us: still answered');
    configurePeerRequests({ ctl: { certfile: certs.clientCert, keyfile: certs.clientKey }, restapi: { cafile: certs.ca } });
    assert.equal((await getPeerJson(url(open, 'localhost'), 2000))?.status, 200);
    configurePeerRequests({ ctl: { certfile: certs.clientCert, keyfile: certs.clientKey } });
    assert.equal(await getPeerJson(url(open), 2000), null, 'a chain that no CA vouches for is refused');
    configurePeerRequests({});
  });

  test('patronictl verifies the server against ctl.cacert unless insecure; basic auth from ctl, else restapi', async () => {
    seen = [];
    await assert.rejects(requestPatroni({}, false, url(open), 'GET'));
    assert.equal((await requestPatroni({}, true, url(open), 'GET')).status, 200);
    const cfg = {
      ctl: { cacert: certs.ca, certfile: certs.clientCert, keyfile: certs.clientKey, authentication: { username: 'c', password: 'p' } },
      restapi: { authentication: { username: 'r', password: 'q' } },
    };
    assert.equal((await requestPatroni(cfg, false, url(strict), 'GET')).status, 200);
    assert.equal((await requestPatroni({ restapi: cfg.restapi, ctl: { cacert: certs.ca } }, false, url(open), 'GET')).status, 200);
    assert.deepEqual(seen, [undefined, `Basic ${Buffer.from('c:p').toString('base64')}`, `Basic ${Buffer.from('r:q').toString('base64')}`]);
  });
});
