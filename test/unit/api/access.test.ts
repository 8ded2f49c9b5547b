// Access control over HTTP and HTTPS: basic auth, allowlists (incl. members' hosts), client certificates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle } from '../../../src/api/server.js';
import type { RestApiConfig } from '../../../src/config/types.js';
import { fakeContext, fakeState } from '../../support/api/fake-context.js';
import { batman, member, restApiConfig } from '../../support/api/fixtures.js';
import { makeCerts, type TestCerts } from '../../support/certs.js';
import { makeTempDir } from '../../support/tmp.js';

const base = restApiConfig({ http_extra_headers: { 'X-Frame-Options': 'deny' } });
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

async function withServer(cfg: RestApiConfig, fn: (url: string) => Promise<void>, state = fakeState()): Promise<void> {
  const srv: ApiServerHandle = await startApiServer(cfg, fakeContext(state), { resolver: async (h) => (h === 'db.example' ? ['10.9.9.9'] : ['127.0.0.1']) });
  try {
    await fn(`http://127.0.0.1:${srv.address.port}`);
  } finally {
    await srv.close();
  }
}

describe('access control', () => {
  test('basic auth: 401 texts and challenge on unsafe endpoints only', async () => {
    await withServer({ ...base, authentication: { username: 'admin', password: 's3cret' } }, async (url) => {
      const none = await fetch(`${url}/reload`, { method: 'POST' });
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Basic realm="Patroni"');
      assert.equal(await none.text(), 'no auth header received');
      const wrong = await fetch(`${url}/reload`, { method: 'POST', headers: { authorization: basic('admin', 'nope') } });
      assert.deepEqual([wrong.status, await wrong.text()], [401, 'not authenticated']);
      const notBasic = await fetch(`${url}/config`, { method: 'PATCH', headers: { authorization: 'Bearer x' }, body: '{"a":1}' });
      assert.equal(notBasic.status, 401);
      const good = await fetch(`${url}/reload`, { method: 'POST', headers: { authorization: basic('admin', 's3cret') } });
      assert.deepEqual([good.status, await good.text()], [202, 'reload scheduled']);
      for (const path of ['/patroni', '/config', '/metrics', '/cluster']) assert.equal((await fetch(url + path)).status, 200, path);
      // /mpp is not protected.
      assert.equal((await fetch(`${url}/mpp`, { method: 'POST', body: '{"type":"x"}' })).status, 200);
    });
  });

  test('allowlist: 403 Access is denied outside it, before auth', async () => {
    await withServer({ ...base, allowlist: ['10.0.0.0/8', 'db.example'], authentication: { username: 'a', password: 'b' } }, async (url) => {
      const r = await fetch(`${url}/restart`, { method: 'POST' });
      assert.deepEqual([r.status, await r.text()], [403, 'Access is denied']);
      assert.equal((await fetch(`${url}/patroni`)).status, 200, 'safe endpoints are not filtered');
    });
    await withServer({ ...base, allowlist: ['127.0.0.0/8'] }, async (url) => {
      assert.equal((await fetch(`${url}/reload`, { method: 'POST' })).status, 202);
    });
    await withServer({ ...base, allowlist: ['localhost'] }, async (url) => {
      assert.equal((await fetch(`${url}/reload`, { method: 'POST' })).status, 202, 'host names are resolved');
    });
  });

  test("allowlist_include_members admits members' API hosts, except for /failsafe", async () => {
    const state = fakeState();
    state.cluster = batman({ members: [member('remote', { api_url: 'http://db.example:8008/patroni' })] });
    await withServer(
      { ...base, allowlist_include_members: true },
      async (url) => {
        assert.equal((await fetch(`${url}/reload`, { method: 'POST' })).status, 403, 'not a member host');
        state.cluster = batman();
        assert.equal((await fetch(`${url}/reload`, { method: 'POST' })).status, 202, '127.0.0.1 is a member API host');
        // The member allowlist is not applied to /failsafe: with no static allowlist it is open.
        state.cluster = batman({ members: [] });
        assert.equal((await fetch(`${url}/failsafe`, { method: 'POST', body: '{"name":"x"}' })).status, 502);
      },
      state,
    );
  });
});

function httpsCall(
  port: number,
  path: string,
  opts: { ca: string; cert?: string; key?: string; method?: string },
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        ca: readFileSync(opts.ca),
        ...(opts.cert && opts.key ? { cert: readFileSync(opts.cert), key: readFileSync(opts.key) } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS', () => {
  const dir = makeTempDir('api-tls');
  let certs: TestCerts;
  before(() => {
    certs = makeCerts(dir.path);
  });
  after(() => dir.remove());

  test('verify_client required: a client without a certificate is rejected at the handshake', async () => {
    const cfg: RestApiConfig = {
      ...base,
      certfile: certs.cert,
      keyfile: certs.key,
      cafile: certs.ca,
      verify_client: 'required',
      https_extra_headers: { 'X-Frame-Options': 'sameorigin', 'Strict-Transport-Security': 'max-age=1' },
    };
    const srv = await startApiServer(cfg, fakeContext(fakeState()));
    try {
      await assert.rejects(httpsCall(srv.address.port, '/patroni', { ca: certs.ca }));
      const ok = await httpsCall(srv.address.port, '/patroni', { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['x-frame-options'], 'sameorigin', 'https_extra_headers override http ones');
      assert.equal(ok.headers['strict-transport-security'], 'max-age=1');
      const reload = await httpsCall(srv.address.port, '/reload', { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, method: 'POST' });
      assert.equal(reload.status, 202);
    } finally {
      await srv.close();
    }
  });

  test('verify_client optional: safe endpoints open, unsafe ones need the certificate', async () => {
    const cfg: RestApiConfig = { ...base, certfile: certs.cert, keyfile: certs.key, cafile: certs.ca, verify_client: 'optional' };
    const srv = await startApiServer(cfg, fakeContext(fakeState()));
    try {
      assert.equal((await httpsCall(srv.address.port, '/patroni', { ca: certs.ca })).status, 200);
      const r = await httpsCall(srv.address.port, '/reload', { ca: certs.ca, method: 'POST' });
      assert.deepEqual([r.status, r.text], [403, 'client certificate required']);
      const ok = await httpsCall(srv.address.port, '/reload', { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, method: 'POST' });
      assert.equal(ok.status, 202);
    } finally {
      await srv.close();
    }
  });

  test('encrypted key with keyfile_password', async () => {
    const enc = join(dir.path, 'server-enc.key');
    execFileSync('openssl', ['pkey', '-in', certs.key, '-aes256', '-passout', 'pass:pw', '-out', enc]);
    const srv = await startApiServer({ ...base, certfile: certs.cert, keyfile: enc, keyfile_password: 'pw' }, fakeContext(fakeState()));
    try {
      assert.equal((await httpsCall(srv.address.port, '/patroni', { ca: certs.ca })).status, 200);
    } finally {
      await srv.close();
    }
  });
});
