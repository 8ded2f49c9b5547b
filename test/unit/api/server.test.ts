// The HTTP layer against a fake ApiContext (no DCS, no PostgreSQL): framing, codes, robustness.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { ApiContext } from '../../../src/api/context.js';
import { startApiServer, type ApiServerHandle } from '../../../src/api/server.js';
import { batman, restApiConfig } from '../../support/api/fixtures.js';
import { fakeContext, fakeState } from '../../support/api/fake-context.js';

const cfg = restApiConfig({ http_extra_headers: { 'X-Extra': 'yes' }, server_tokens: 'minimal' });

const ctx: ApiContext = fakeContext(fakeState());

/** Write raw bytes, collect everything until the server closes or `until` matches. */
function raw(port: number, data: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      if (until && until.test(buf)) sock.end();
    });
    sock.on('close', () => resolve(buf));
    sock.on('error', reject);
    sock.write(data);
  });
}

describe('REST API server', () => {
  let srv: ApiServerHandle;
  let base: string;
  before(async () => {
    srv = await startApiServer(cfg, ctx);
    base = `http://127.0.0.1:${srv.address.port}`;
  });
  after(async () => srv.close());

  test('GET /patroni: 200 JSON with Python separators, Content-Length, extra headers', async () => {
    const res = await fetch(`${base}/patroni`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('server'), 'Patroni/4.1.4');
    assert.equal(res.headers.get('x-extra'), 'yes');
    const text = await res.text();
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
    assert.match(text, /^\{"state": "running", "postmaster_start_time"/);
  });

  test('health checks: GET carries the status body, HEAD/OPTIONS status only', async () => {
    assert.equal((await fetch(`${base}/primary`)).status, 200);
    assert.equal((await fetch(`${base}/replica`)).status, 503);
    const r503 = await fetch(`${base}/replica`);
    assert.match(await r503.text(), /"role": "primary"/);
    const head = await fetch(`${base}/primary`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const opt = await fetch(`${base}/patroni`, { method: 'OPTIONS' });
    assert.equal(opt.status, 503); // HEAD/OPTIONS always take the health logic: /patroni is not a health path
    assert.equal(opt.headers.get('content-length'), '0');
  });

  test('/cluster, /history, /config, /liveness, /readiness', async () => {
    const c = await (await fetch(`${base}/cluster`)).text();
    assert.match(c, /^\{"members": \[\{"name": "postgresql0", "role": "leader"/);
    assert.match(c, /"scope": "batman"\}$/);
    assert.equal(await (await fetch(`${base}/history`)).text(), '[]');
    assert.equal(await (await fetch(`${base}/config`)).text(), '{"ttl": 30, "loop_wait": 10}');
    const live = await fetch(`${base}/liveness`);
    assert.equal(live.status, 200);
    assert.equal(await live.text(), '');
    assert.equal((await fetch(`${base}/readiness`)).status, 200);
  });

  test('GET /config without a stored config: 502 error page', async () => {
    const other = await startApiServer(cfg, { ...ctx, cachedCluster: () => batman() });
    try {
      const res = await fetch(`http://127.0.0.1:${other.address.port}/config`);
      assert.equal(res.status, 502);
      assert.match(await res.text(), /Error code: 502/);
    } finally {
      await other.close();
    }
  });

  test('unknown method: 501 with the phrase old patronictl looks for', async () => {
    const res = await fetch(`${base}/patroni`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 501);
    assert.equal(res.statusText, "Unsupported method ('POST')");
    assert.match(await res.text(), /Server does not support this operation/);
  });

  test('keep-alive: two requests on one socket', async () => {
    const req = `GET /patroni HTTP/1.1\r\nHost: x\r\n\r\nGET /leader HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const out = await raw(srv.address.port, req);
    assert.deepEqual(out.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 200', 'HTTP/1.1 200']);
    assert.match(out, /Connection: keep-alive/);
  });

  test('garbage request gets 400 and the server keeps answering', async () => {
    const out = await raw(srv.address.port, '\x00\x01garbage\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 400 Bad Request/);
    const huge = await raw(srv.address.port, `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431/);
    assert.equal((await fetch(`${base}/patroni`)).status, 200);
  });

  test('a failing handler answers 503 instead of hanging', async () => {
    const broken = await startApiServer(cfg, {
      ...ctx,
      freshCluster: async () => {
        throw new Error('DCS down');
      },
    });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${broken.address.port}/cluster`)).status, 503);
    } finally {
      await broken.close();
    }
  });
});
