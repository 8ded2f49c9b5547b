// Hostile input: thousands of malformed or random requests, huge bodies, idle connections. The
// server must answer each with a 4xx/5xx (or close) and keep serving /health.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startApiServer } from '../../../src/api/server.js';
import { restApiConfig } from '../../support/api/fixtures.js';
import { fakeContext, fakeState } from '../../support/api/fake-context.js';

const cfg = restApiConfig({ authentication: { username: 'u', password: 'p' } });
const AUTH = `Basic ${Buffer.from('u:p').toString('base64')}`;

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function send(port: number, data: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const done = () => resolve(buf);
    sock.setTimeout(5000, () => sock.destroy());
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      // One response is enough: do not wait for keep-alive to expire.
      if (/^HTTP\/1\.[01] \d{3}[^]*\r\n\r\n/.test(buf)) sock.end();
    });
    sock.on('close', done);
    sock.on('error', () => undefined);
    sock.end(data);
  });
}

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'FOO', 'get', ''];
const PATHS = [
  '/switchover',
  '/failover',
  '/config',
  '/restart',
  '/reinitialize',
  '/failsafe',
  '/mpp',
  '/citus',
  '/patroni',
  '/x?lag=%zz',
  '/replica?lag=1e999',
  '/%00',
  '//',
  '*',
  '',
];
const BODIES = [
  '{',
  '[]',
  'null',
  '{"leader": 1, "candidate": {"a": []}}',
  '{"schedule": 1e400}',
  '{"timeout": {}}',
  '{"scheduled_at": [1]}',
  '{"role": null, "postgres_version": true}',
  '{"force": {"x": 1}}',
  '{"name": 5}',
  '\u0000\u00ff',
  '"' + 'a'.repeat(5000) + '"',
];

function randomRequest(r: () => number): Buffer | string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const kind = Math.floor(r() * 4);
  if (kind === 0) return Buffer.from(Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
  const body = pick(BODIES);
  const length = kind === 2 ? String(Math.floor(r() * 100000) - 10) : String(Buffer.byteLength(body));
  const auth = r() < 0.7 ? `Authorization: ${AUTH}\r\n` : '';
  return `${pick(METHODS)} ${pick(PATHS)} HTTP/1.${kind === 3 ? 9 : 1}\r\nHost: x\r\n${auth}Content-Length: ${length}\r\n\r\n${body}`;
}

test('thousands of malformed requests never crash or block the server', async () => {
  const state = fakeState();
  state.dynamic = { ...state.dynamic, loop_wait: 0 };
  // Switchover polling must not run for long: a leader change ends it on the first round.
  state.onWakeup = () => {
    state.cluster = { ...state.cluster, failover: null };
  };
  const srv = await startApiServer(cfg, fakeContext(state));
  try {
    const r = rng(42);
    const answers: string[] = [];
    for (let batch = 0; batch < 60; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 50 }, () => send(srv.address.port, randomRequest(r))))));
    }
    assert.equal(answers.length, 3000);
    const codes = answers.map((a) => /^HTTP\/1\.[01] (\d{3})/.exec(a)?.[1]).filter((c) => c !== undefined);
    assert.ok(codes.length > 1500, `most requests get an answer (${codes.length})`);
    assert.ok(codes.some((c) => c === '400') && codes.some((c) => c === '411' || c === '501'));
    const health = await fetch(`http://127.0.0.1:${srv.address.port}/health`);
    assert.equal(health.status, 200);
  } finally {
    await srv.close();
  }
});

test('huge body: 413 without reading it; idle half-open connections do not block others', async () => {
  const srv = await startApiServer(cfg, fakeContext(fakeState()));
  const idle: Socket[] = [];
  try {
    const declared = await send(srv.address.port, `PATCH /config HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: 50000000\r\n\r\n{`);
    assert.match(declared, /^HTTP\/1\.1 413/);
    const chunk = '{"a":"' + 'x'.repeat(64 * 1024) + '",';
    const chunked = await send(
      srv.address.port,
      `PATCH /config HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3000000\r\n\r\n` +
        `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(3),
    );
    assert.match(chunked, /^HTTP\/1\.1 (400|413)/);
    for (let i = 0; i < 200; i++) {
      const s = connect(srv.address.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write('GET /patroni HTTP/1.1\r\nHost: x\r\n'); // never finished
      idle.push(s);
    }
    const health = await fetch(`http://127.0.0.1:${srv.address.port}/health`);
    assert.equal(health.status, 200);
  } finally {
    for (const s of idle) s.destroy();
    await srv.close();
  }
});
