// Issue 13 item 1: hostile JSON never takes the REST API (or the process) down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiContext } from '../../../src/api/context.js';
import { pyJson } from '../../../src/util/py-json.js';
import { apiRoutes } from '../../../src/api/routes.js';
import { routeKey } from '../../../src/api/routes/types.js';
import { startApiServer, type ApiServerHandle } from '../../../src/api/server.js';
import { ConfigError, normalizeConfig } from '../../../src/config/loader.js';
import { jsonDepth, MAX_JSON_DEPTH, parseJson } from '../../../src/util/json.js';
import { restApiConfig } from '../../support/api/fixtures.js';
import { fakeContext, fakeState } from '../../support/api/fake-context.js';
import { baseConfig } from '../../support/config/fixtures.js';

const cfg = restApiConfig({ server_tokens: 'minimal' });

const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('JSON depth and serialisation', () => {
  test('pyJson serialises 200,000 levels without recursion and matches Python text', () => {
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = i % 2 ? [v] : { k: v };
    const text = pyJson(v);
    assert.equal(text.length, (200_000 / 2) * ('{"k": '.length + '}'.length + 2) + 1);
    assert.equal(pyJson({ a: [1, 'é', null, { b: true }], c: undefined, d: {} }), '{"a": [1, "\\u00e9", null, {"b": true}], "d": {}}');
    assert.equal(pyJson([]), '[]');
  });

  test('jsonDepth ignores brackets inside strings and escapes', () => {
    assert.equal(jsonDepth('{"a": "[[[\\"{{"}'), 1);
    assert.equal(jsonDepth(deep(7)), 7);
    assert.equal(jsonDepth('"x"'), 0);
  });

  test('parseJson refuses text nested deeper than the bound', () => {
    assert.deepEqual(parseJson(deep(MAX_JSON_DEPTH)), JSON.parse(deep(MAX_JSON_DEPTH)));
    assert.equal(parseJson(deep(MAX_JSON_DEPTH + 1)), undefined);
    assert.equal(parseJson(`{"ttl": ${deep(3000)}}`), undefined);
  });
});

describe('REST API under hostile requests', () => {
  let srv: ApiServerHandle;
  let base: string;
  const patched: unknown[] = [];
  before(async () => {
    const ctx: ApiContext = fakeContext(fakeState());
    const routes = apiRoutes();
    routes.set(routeKey('GET', 'throw-sync'), {
      access: 'public',
      handle: () => {
        throw new Error('boom');
      },
    });
    routes.set(routeKey('GET', 'throw-async'), {
      access: 'public',
      handle: async () => {
        throw new Error('boom');
      },
    });
    routes.set(routeKey('GET', 'bad-header'), {
      access: 'public',
      handle: async () => ({ kind: 'json', code: 200, body: {}, headers: { 'X-Bad': 'a\r\nb' } }),
    });
    let deepValue: unknown = 0;
    for (let i = 0; i < 50_000; i++) deepValue = [deepValue];
    routes.set(routeKey('GET', 'deep'), { access: 'public', handle: async () => ({ kind: 'json', code: 200, body: { v: deepValue } as never }) });
    const patch = routes.get(routeKey('PATCH', 'config'));
    assert.ok(patch);
    routes.set(routeKey('PATCH', 'config'), {
      access: patch.access,
      handle: async (req, c) => {
        const r = await patch.handle(req, c);
        patched.push(r.code);
        return r;
      },
    });
    srv = await startApiServer(cfg, ctx, { routes });
    base = `http://127.0.0.1:${srv.address.port}`;
  });
  after(async () => srv.close());

  test('PATCH /config with a 3,000-level body is a 400 and nothing is written', async () => {
    const body = `{"ttl": ${deep(3000)}}`;
    const res = await fetch(`${base}/config`, { method: 'PATCH', body, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal((await fetch(`${base}/patroni`)).status, 200);
  });

  test('a handler that throws (sync or async) is a 5xx and the server keeps serving', async () => {
    assert.ok((await fetch(`${base}/throw-sync`)).status >= 500);
    assert.ok((await fetch(`${base}/throw-async`)).status >= 500);
    assert.equal((await fetch(`${base}/patroni`)).status, 200);
  });

  test('a failure while answering (invalid header) is a 500, not an unhandled rejection', async () => {
    const res = await fetch(`${base}/bad-header`);
    assert.equal(res.status, 500);
    assert.equal((await fetch(`${base}/patroni`)).status, 200);
  });

  test('a deeply nested response body is serialised', async () => {
    const res = await fetch(`${base}/deep`);
    assert.equal(res.status, 200);
    assert.equal((await res.text()).length, '{"v": '.length + 50_000 * 2 + 1 + 1);
  });
});

describe('extra headers are validated at config load', () => {
  for (const [name, value] of [
    ['X-Ok', 'a\r\nSet-Cookie: x'],
    ['X-Ok', 'nul\u0000'],
    ['Bad Name', 'v'],
    ['X\r\nY', 'v'],
  ] as const) {
    test(`refuses ${JSON.stringify(name)}: ${JSON.stringify(value)}`, () => {
      const raw = baseConfig();
      for (const key of ['http_extra_headers', 'https_extra_headers']) {
        const restapi = { ...(raw.restapi as object), [key]: { [name]: value } };
        assert.throws(
          () => normalizeConfig({ ...raw, restapi }),
          (e: unknown) => e instanceof ConfigError && e.message.includes(`restapi.${key}`),
        );
      }
    });
  }

  test('valid headers load', () => {
    const raw = baseConfig();
    const c = normalizeConfig({
      ...raw,
      restapi: { ...(raw.restapi as object), http_extra_headers: { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } },
    });
    assert.equal(c.restapi.http_extra_headers['Strict-Transport-Security'], 'max-age=31536000; includeSubDomains');
  });
});
