// Every write endpoint over HTTP against a fake daemon: codes, texts, DCS writes, action calls.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startApiServer, type ApiServerHandle } from '../../../src/api/server.js';
import { apiRoutes } from '../../../src/api/routes.js';
import type { JsonObject } from '../../../src/util/json.js';
import { fakeContext, fakeState, type FakeState } from '../../support/api/fake-context.js';
import { dynamicConfig, restApiConfig } from '../../support/api/fixtures.js';

const cfg = restApiConfig();

function rawRequest(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
    });
    sock.on('close', () => resolve(buf));
    sock.on('error', reject);
    sock.write(data);
  });
}

/** Member statuses the switchover feasibility probe sees, by api_url. */
let probed: Record<string, JsonObject | null> = {};

describe('REST API write endpoints', () => {
  let state: FakeState;
  let srv: ApiServerHandle;
  let base: string;
  before(async () => {
    state = fakeState();
    const routes = apiRoutes({ probe: async (url) => probed[url] ?? null, pollIntervalMs: 5 });
    // The context reads `state` lazily, so tests can replace it.
    srv = await startApiServer(
      cfg,
      fakeContext(
        new Proxy({} as FakeState, {
          get: (_t, k) => state[k as keyof FakeState],
          set: (_t, k, v) => {
            (state as unknown as Record<string | symbol, unknown>)[k] = v;
            return true;
          },
        }),
      ),
      { routes },
    );
    base = `http://127.0.0.1:${srv.address.port}`;
  });
  after(async () => srv.close());
  beforeEach(() => {
    state = fakeState();
    probed = {
      'http://127.0.0.1:8009/patroni': { state: 'running', xlog: { received_location: 1 } },
      'http://127.0.0.1:8010/patroni': null,
    };
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) };
    const res = await fetch(base + path, init);
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type'), headers: res.headers };
  };

  test('GET /explain: 503 before the first cycle, then the last decision with its reasons', async () => {
    assert.equal((await call('GET', '/explain')).status, 503);
    const weighing = {
      at: '2026-11-26T00:00:00.000Z',
      message: 'promoted self to leader by acquiring session lock',
      reasons: [{ member: 'node2', eligible: false, why: 'not reachable (refused)' }],
    };
    state.lastDecision = {
      at: '2026-11-26T00:00:02.000Z',
      message: 'no action. I am (node1), the leader with the lock',
      steps: ['update_leader: ok'],
      reasons: [],
      lastWeighing: weighing,
    };
    const r = await call('GET', '/explain');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.text) as { steps: string[]; lastWeighing: { reasons: { why: string }[] } };
    assert.deepEqual(body.steps, ['update_leader: ok']);
    assert.equal(body.lastWeighing.reasons[0]?.why, 'not reachable (refused)');
  });

  test('bodies: missing 411, empty 400, invalid JSON 400, non-object 400, {} 400 where required', async () => {
    const noLength = await rawRequest(srv.address.port, 'POST /switchover HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(noLength, /^HTTP\/1\.1 411 Length Required/);
    for (const body of ['', 'not json', '[1,2]', '"x"', '{}']) {
      const r = await call('POST', '/switchover', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.text, /Error code: 400/);
    }
    // Optional bodies: empty and {} are fine, garbage is not.
    assert.equal((await call('POST', '/restart', '')).status, 200);
    assert.equal((await call('POST', '/reinitialize', '{}')).status, 200);
    assert.equal((await call('POST', '/restart', '{bad')).status, 400);
  });

  test('PATCH /config merges with CAS and wakes the loop; 409 on conflict; 503 without config', async () => {
    const r = await call('PATCH', '/config', { loop_wait: 5, ttl: null, postgresql: { parameters: { work_mem: '8MB' } } });
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/json');
    assert.equal(r.text, '{"loop_wait": 5, "postgresql": {"parameters": {"work_mem": "8MB"}}}');
    assert.deepEqual(state.writes, [{ key: 'config', value: '{"loop_wait":5,"postgresql":{"parameters":{"work_mem":"8MB"}}}', version: '3' }]);
    assert.equal(state.wakeups, 1);
    state.refuseWrites = true;
    const conflict = await call('PATCH', '/config', { pause: true });
    assert.equal(conflict.status, 409);
    assert.match(conflict.text, /Error code: 409/);
    state.cluster = { ...state.cluster, config: null };
    assert.equal((await call('PATCH', '/config', { pause: true })).status, 503);
  });

  test('PATCH /config without a change writes nothing', async () => {
    const r = await call('PATCH', '/config', { ttl: '30' });
    assert.equal(r.status, 200);
    assert.equal(state.writes.length, 0);
  });

  test('PUT /config replaces unconditionally, skips identical, 502 when the write fails', async () => {
    const r = await call('PUT', '/config', { ttl: 20 });
    assert.equal(r.text, '{"ttl": 20}');
    assert.deepEqual(state.writes, [{ key: 'config', value: '{"ttl":20}' }]);
    await call('PUT', '/config', { ttl: '20' });
    assert.equal(state.writes.length, 1, 'same config by str(): no write');
    state.refuseWrites = true;
    assert.equal((await call('PUT', '/config', { ttl: 1 })).status, 502);
  });

  test('POST /switchover refusals with exact texts', async () => {
    const cases: [unknown, number, string][] = [
      [{ candidate: 'postgresql1' }, 400, 'Switchover could be performed only from a specific leader'],
      [{ leader: 'postgresql0', scheduled_at: 'soon' }, 422, 'Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601'],
      [{ leader: 'postgresql0', candidate: 'postgresql0' }, 400, 'Switchover target and source are the same'],
      [{ leader: 'postgresql1' }, 412, 'leader name does not match'],
      [{ leader: 'postgresql0', candidate: 'ghost' }, 412, 'candidate does not exists'],
      [{ leader: 'postgresql0', candidate: 'postgresql2' }, 412, 'switchover is not possible: no good candidates have been found'],
    ];
    for (const [body, code, text] of cases) {
      const r = await call('POST', '/switchover', body);
      assert.deepEqual([r.status, r.text, r.type], [code, text, 'text/html'], JSON.stringify(body));
    }
    const alone = fakeState();
    state.cluster = { ...alone.cluster, members: alone.cluster.members.slice(0, 1) };
    const r = await call('POST', '/switchover', { leader: 'postgresql0' });
    assert.deepEqual([r.status, r.text], [412, 'switchover is not possible: cluster does not have members except leader']);
    assert.equal(state.writes.length, 0);
  });

  test('POST /failover refusals and paused rules', async () => {
    assert.equal((await call('POST', '/failover', { leader: 'postgresql0' })).text, 'Failover could be performed only to a specific candidate');
    assert.equal((await call('POST', '/failover', { candidate: 'postgresql1', scheduled_at: '2099-01-01T00:00Z' })).text, "Failover can't be scheduled");
    state.dynamic = dynamicConfig({ pause: true });
    assert.equal(
      (await call('POST', '/switchover', { leader: 'postgresql0', scheduled_at: '2099-01-01T00:00Z' })).text,
      "Can't schedule switchover in the paused state",
    );
    assert.equal((await call('POST', '/switchover', { leader: 'postgresql0' })).text, 'Switchover is possible only to a specific candidate in a paused state');
  });

  test('scheduled switchover: 202, failover key with scheduled_at; DELETE cancels with CAS', async () => {
    const r = await call('POST', '/switchover', { leader: 'postgresql0', scheduled_at: '2099-01-01T10:00+02:00' });
    assert.deepEqual([r.status, r.text], [202, 'Switchover scheduled']);
    assert.deepEqual(state.writes.at(-1), { key: 'failover', value: '{"leader":"postgresql0","scheduled_at":"2099-01-01T10:00:00+02:00"}' });
    const version = state.cluster.failover?.version;
    const d = await call('DELETE', '/switchover');
    assert.deepEqual([d.status, d.text], [200, 'scheduled switchover deleted']);
    assert.deepEqual(state.writes.at(-1), { key: 'failover', value: '{}', version });
    const none = await call('DELETE', '/switchover');
    assert.deepEqual([none.status, none.text], [404, 'no switchover is scheduled']);
  });

  test('immediate switchover: writes the key, wakes the loop, polls until the leader moves', async () => {
    state.onWakeup = () => {
      state.cluster = { ...state.cluster, leader: { name: 'postgresql1', version: '7' }, failover: null };
    };
    const r = await call('POST', '/switchover', { leader: 'postgresql0', candidate: 'postgresql1' });
    assert.deepEqual([r.status, r.text], [200, 'Successfully switched over to "postgresql1"']);
    assert.deepEqual(state.writes, [{ key: 'failover', value: '{"leader":"postgresql0","member":"postgresql1"}' }]);
  });

  test('failover poll: key cleared without a new leader -> 503 Failover failed; write failure -> 503', async () => {
    state.isLeader = false;
    state.onWakeup = () => {
      state.cluster = { ...state.cluster, failover: null };
    };
    const r = await call('POST', '/failover', { candidate: 'postgresql1' });
    assert.deepEqual([r.status, r.text], [503, 'Failover failed']);
    state.refuseWrites = true;
    const w = await call('POST', '/failover', { candidate: 'postgresql1' });
    assert.deepEqual([w.status, w.text], [503, 'failed to write failover key into DCS']);
  });

  test('switchover poll times out with the status-unknown text', async () => {
    state.dynamic = dynamicConfig({ loop_wait: 1 });
    const r = await call('POST', '/switchover', { leader: 'postgresql0' });
    assert.deepEqual([r.status, r.text], [503, 'Switchover status unknown after 20 seconds; operation may still be in progress']);
  });

  test('POST /restart: immediate outcomes, filters, schedule, DELETE', async () => {
    assert.deepEqual(await call('POST', '/restart', { timeout: '1min' }).then((r) => [r.status, r.text]), [200, 'restarted successfully']);
    assert.deepEqual(state.calls, ['restart {"timeoutSeconds":60}']);
    for (const [kind, code, text] of [
      ['still_starting', 503, 'postgres is still starting'],
      ['failed', 503, 'restart failed'],
    ] as const) {
      state.restartOutcome = { kind };
      assert.deepEqual(await call('POST', '/restart', {}).then((r) => [r.status, r.text]), [code, text]);
    }
    state.restartOutcome = { kind: 'busy', action: 'reinitialize' };
    assert.equal((await call('POST', '/restart', {})).text, 'reinitialize already in progress');
    state.calls = [];
    assert.deepEqual(await call('POST', '/restart', { role: 'replica' }).then((r) => [r.status, r.text]), [503, 'restart conditions are not satisfied']);
    assert.equal((await call('POST', '/restart', { restart_pending: true })).text, 'restart conditions are not satisfied');
    assert.equal((await call('POST', '/restart', { postgres_version: '16.0' })).text, 'restart conditions are not satisfied');
    assert.deepEqual(state.calls, [], 'no restart when filters do not match');
    assert.equal((await call('POST', '/restart', { bogus: 1 })).text, 'Unknown filter for the scheduled restart: bogus');
    const s = await call('POST', '/restart', { schedule: '2099-01-01T00:00Z', role: 'primary' });
    assert.deepEqual([s.status, s.text], [202, 'Restart scheduled']);
    assert.equal(state.scheduled?.role, 'primary');
    assert.deepEqual(await call('POST', '/restart', { schedule: '2099-01-01T00:00Z' }).then((r) => [r.status, r.text]), [
      409,
      'Another restart is already scheduled',
    ]);
    assert.deepEqual(await call('DELETE', '/restart').then((r) => [r.status, r.text]), [200, 'scheduled restart deleted']);
    assert.deepEqual(await call('DELETE', '/restart').then((r) => [r.status, r.text]), [404, 'no restarts are scheduled']);
    state.dynamic = dynamicConfig({ pause: true });
    assert.deepEqual(await call('POST', '/restart', { schedule: '2099-01-01T00:00Z' }).then((r) => [r.status, r.text]), [
      500,
      "Can't schedule restart in the paused state",
    ]);
  });

  test('POST /reload, /reinitialize, /sigterm, /citus, /mpp', async () => {
    assert.deepEqual(await call('POST', '/reload').then((r) => [r.status, r.text, r.type]), [202, 'reload scheduled', 'text/html']);
    assert.deepEqual(await call('POST', '/reinitialize', { force: 'yes', from_leader: 'on' }).then((r) => [r.status, r.text]), [200, 'reinitialize started']);
    assert.deepEqual(state.calls, ['reload', 'reinitialize {"force":true,"fromLeader":true}']);
    for (const [o, text] of [
      [{ kind: 'no_leader' }, 'Cluster has no leader, can not reinitialize'],
      [{ kind: 'is_leader' }, 'I am the leader, can not reinitialize'],
      [{ kind: 'busy', action: 'restart' }, 'restart already in progress'],
    ] as const) {
      state.reinitOutcome = o;
      assert.deepEqual(await call('POST', '/reinitialize').then((r) => [r.status, r.text]), [503, text]);
    }
    assert.deepEqual(await call('POST', '/sigterm').then((r) => [r.status, r.text]), [202, 'shutdown scheduled']);
    assert.deepEqual(await call('POST', '/mpp', { type: 'after_promote', group: 1 }).then((r) => [r.status, r.text]), [200, 'OK']);
    assert.equal((await call('POST', '/citus', '')).status, 400);
  });

  test('failsafe: GET map or 502; POST 502 when disabled, Accepted with lsn header, 500 as leader', async () => {
    assert.equal((await call('GET', '/failsafe')).status, 502);
    state.cluster = { ...state.cluster, failsafe: { postgresql0: 'http://127.0.0.1:8008/patroni' } };
    assert.equal((await call('GET', '/failsafe')).text, '{"postgresql0": "http://127.0.0.1:8008/patroni"}');
    const hb = { name: 'postgresql0', conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'http://127.0.0.1:8008/patroni', slots: { a: 1 } };
    assert.equal((await call('POST', '/failsafe', hb)).status, 502);
    state.dynamic = dynamicConfig({ failsafe_mode: true });
    const ok = await call('POST', '/failsafe', hb);
    assert.deepEqual([ok.status, ok.text, ok.headers.get('lsn')], [200, 'Accepted', '1234']);
    state.failsafeOutcome = { kind: 'accepted', lsn: null };
    assert.equal((await call('POST', '/failsafe', hb)).headers.get('lsn'), null);
    state.failsafeOutcome = { kind: 'running_as_leader' };
    assert.deepEqual(await call('POST', '/failsafe', hb).then((r) => [r.status, r.text]), [500, 'Running as a leader']);
  });

  test('GET /metrics is text/plain Prometheus text', async () => {
    const r = await call('GET', '/metrics');
    assert.equal(r.type, 'text/plain');
    assert.match(r.text, /^patroni_primary\{scope="batman",name="postgresql0"\} 1$/m);
  });

  test('unknown write method/path: 501', async () => {
    const r = await call('DELETE', '/config');
    assert.equal(r.status, 501);
    assert.match(r.text, /Server does not support this operation/);
  });
});
