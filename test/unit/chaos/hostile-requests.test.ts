// The hostile request generator of `npm run chaos -- --hostile` (pure, seeded).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeRng } from '../../../chaos/rng.js';
import { garbageFor } from '../../../chaos/hostile/dcs-garbage.js';
import { HOSTILE_KINDS, hostileRequest, TLS_KINDS } from '../../../chaos/hostile/requests.js';
import { classify } from '../../../chaos/hostile/sender.js';

const creds = { username: 'admin', password: 'pw' };

test('every kind is generated, the same seed gives the same requests, TLS kinds only over TLS', () => {
  const plain = new Set<string>();
  const tls = new Set<string>();
  const a = makeRng(7);
  const b = makeRng(7);
  for (let i = 0; i < 2000; i++) {
    const x = hostileRequest(a, creds);
    assert.deepEqual(x, hostileRequest(b, creds));
    plain.add(x.kind);
    assert.equal(x.carrier, 'normal');
  }
  const r = makeRng(8);
  for (let i = 0; i < 2000; i++) tls.add(hostileRequest(r, creds, true).kind);
  assert.deepEqual([...plain].sort(), [...HOSTILE_KINDS].sort());
  assert.deepEqual([...tls].sort(), [...HOSTILE_KINDS, ...TLS_KINDS].sort());
});

test('responses are classified by status line; TLS alerts and silence are told apart', () => {
  assert.equal(classify('HTTP/1.1 400 Bad Request\r\n'), '4xx');
  assert.equal(classify('HTTP/1.0 503 Service Unavailable\r\n'), '5xx');
  assert.equal(classify('\u0015\u0003\u0003\u0000\u0002\u0002\u0016'), 'tls-alert');
  assert.equal(classify(''), 'closed');
  assert.equal(classify('garbage'), 'malformed');
});

test('DCS garbage covers wrong types, deep and huge values, and key-specific nonsense', () => {
  const labels = (k: string) => garbageFor(k).map(([l]) => l);
  assert.ok(labels('/service/x/config').includes('deep-json'));
  assert.ok(labels('/service/x/failover').includes('failover-non-member'));
  assert.ok(labels('/service/x/sync').includes('sync-non-member'));
  assert.ok(labels('/service/x/history').includes('broken-history'));
  assert.ok(labels('/service/x/members/n1').includes('member-wrong-types'));
  assert.ok(garbageFor('/service/x/leader').some(([, v]) => v.length >= 1_000_000));
});
