// Issue 13 item 8: SIGHUP / POST /reload apply restapi changes without a restart (Patroni's
// RestApiServer.reload_config): authentication, headers, allowlist, listen address, TLS files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { startApiServer, type ApiServerHandle } from '../../../src/api/server.js';
import type { RestApiConfig } from '../../../src/config/types.js';
import { freePorts } from '../../support/ports.js';
import { fakeContext, fakeState } from '../../support/api/fake-context.js';
import { makeTempDir } from '../../support/tmp.js';

const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

function peerCommonName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.destroy();
      resolve(Array.isArray(cn) ? cn.join(',') : (cn ?? ''));
    });
    s.on('error', reject);
  });
}

describe('REST settings reload', () => {
  const dir = makeTempDir('rest-reload');
  let srv: ApiServerHandle;
  let cfg: RestApiConfig;
  before(async () => {
    const [port] = await freePorts(1);
    cfg = {
      listen: { host: '127.0.0.1', port: port ?? 0 },
      connect_address: '127.0.0.1:0',
      verify_client: 'none',
      allowlist: [],
      allowlist_include_members: false,
      http_extra_headers: { 'X-Old': '1' },
      https_extra_headers: {},
      server_tokens: 'minimal',
      authentication: { username: 'u', password: 'old' },
    };
    srv = await startApiServer(cfg, fakeContext(fakeState()));
  });
  after(async () => {
    await srv.close();
    dir.remove();
  });

  const url = (path: string) => `http://127.0.0.1:${srv.address.port}${path}`;

  test('authentication and extra headers change in place', async () => {
    assert.equal((await fetch(url('/reload'), { method: 'POST', headers: basic('u', 'new') })).status, 401);
    cfg = { ...cfg, authentication: { username: 'u', password: 'new' }, http_extra_headers: { 'X-New': '2' } };
    await srv.reconfigure(cfg);
    assert.equal((await fetch(url('/reload'), { method: 'POST', headers: basic('u', 'old') })).status, 401);
    assert.notEqual((await fetch(url('/reload'), { method: 'POST', headers: basic('u', 'new') })).status, 401);
    const res = await fetch(url('/patroni'));
    assert.equal(res.headers.get('x-new'), '2');
    assert.equal(res.headers.get('x-old'), null);
  });

  test('an allowlist applies at once', async () => {
    cfg = { ...cfg, allowlist: ['10.0.0.1'] };
    await srv.reconfigure(cfg);
    assert.equal((await fetch(url('/reload'), { method: 'POST', headers: basic('u', 'new') })).status, 403);
    cfg = { ...cfg, allowlist: [] };
    await srv.reconfigure(cfg);
  });

  test('a new listen port: the new socket answers, the old one is closed', async () => {
    const oldPort = srv.address.port;
    const [port] = await freePorts(1);
    cfg = { ...cfg, listen: { host: '127.0.0.1', port: port ?? 0 } };
    await srv.reconfigure(cfg);
    assert.equal(srv.address.port, port);
    assert.equal((await fetch(url('/patroni'))).status, 200);
    await assert.rejects(fetch(`http://127.0.0.1:${oldPort}/patroni`));
  });

  test('settings that cannot be applied (missing certificate) change nothing', async () => {
    await assert.rejects(srv.reconfigure({ ...cfg, certfile: join(dir.path, 'missing.crt') }), /ENOENT/);
    assert.equal((await fetch(url('/patroni'))).status, 200);
  });

  test('TLS switched on in place, then a replaced certificate file is served after reload', async () => {
    const a = selfSigned(dir.path, 'first');
    const b = selfSigned(dir.path, 'second');
    const live = { cert: join(dir.path, 'live.crt'), key: join(dir.path, 'live.key') };
    copyFileSync(a.cert, live.cert);
    copyFileSync(a.key, live.key);
    cfg = { ...cfg, certfile: live.cert, keyfile: live.key };
    await srv.reconfigure(cfg);
    assert.equal(await peerCommonName(srv.address.port), 'first');
    copyFileSync(b.cert, live.cert);
    copyFileSync(b.key, live.key);
    await srv.reconfigure(cfg);
    assert.equal(await peerCommonName(srv.address.port), 'second');
  });
});
