// The leader's POST /failsafe (Ha.call_failsafe_member) goes through the shared PatroniRequest: a member
// whose REST API requires client certificates (verify_client: required) under a private CA accepts it,
// basic auth is sent, and only 200 with exactly `Accepted` counts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { askFailsafeMembers } from '../../../src/daemon/failsafe-check.js';
import { configurePeerRequests } from '../../../src/util/patroni-request.js';
import { makeCerts, type TestCerts } from '../../support/tls.js';

describe('POST /failsafe to the members (Ha.check_failsafe_topology)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patroni-ts-failsafe-'));
  let certs: TestCerts;
  let strict: Server;
  const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
  let answer = { code: 200, text: 'Accepted' };
  const apiUrl = () => `https://127.0.0.1:${(strict.address() as AddressInfo).port}/patroni`;
  const heartbeat = { name: 'node1', conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: 'https://127.0.0.1:8008/patroni', slots: { perm: 100 } };

  before(async () => {
    certs = makeCerts(dir);
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answer.code).end(answer.text);
      });
    };
    strict = createServer(
      { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey), ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true },
      handler,
    );
    await new Promise<void>((r) => strict.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    configurePeerRequests({});
    await new Promise((r) => strict.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test('with ctl.certfile/keyfile/cacert and basic auth a member requiring client certificates accepts', async () => {
    configurePeerRequests({
      ctl: { certfile: certs.clientCert, keyfile: certs.clientKey, cacert: certs.ca, authentication: { username: 'u', password: 'p' } },
    });
    seen.length = 0;
    answer = { code: 200, text: 'Accepted' };
    assert.deepEqual(await askFailsafeMembers([{ name: 'node2', url: apiUrl() }], heartbeat), [true]);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, 'POST');
    assert.equal(seen[0]?.url, '/failsafe');
    assert.equal(seen[0]?.auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), heartbeat);
  });

  test('a member refusing the connection (no client certificate) is asked twice and counts as not accepted', async () => {
    configurePeerRequests({});
    seen.length = 0;
    assert.deepEqual(await askFailsafeMembers([{ name: 'node2', url: apiUrl() }], heartbeat), [false]);
    assert.equal(seen.length, 0);
  });

  test('only 200 with exactly `Accepted` counts', async () => {
    configurePeerRequests({ ctl: { certfile: certs.clientCert, keyfile: certs.clientKey, cacert: certs.ca } });
    answer = { code: 500, text: 'Running as a leader' };
    assert.deepEqual(await askFailsafeMembers([{ name: 'node2', url: apiUrl() }], heartbeat), [false]);
    answer = { code: 200, text: 'Accepted' };
  });
});
