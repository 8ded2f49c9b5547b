// Etcd3Client with a single endpoint that stops answering (a frozen or partitioned etcd): the failed
// request restarts the watch all the same (Patroni's AbstractEtcdClientWithFailover._do_http_request,
// "trigger Etcd3 watcher restart"), so the daemon stops reading the cluster from a stale watch cache.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Etcd3Client } from '../../../src/dcs/etcd3-client.js';
import { DcsError } from '../../../src/dcs/dcs.js';

describe('Etcd3Client with one endpoint that does not answer', () => {
  let silent: Server;
  before(async () => {
    silent = createServer(() => {
      /* accepts the request, never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });

  test('the failed request throws a DcsError and restarts the watch', async () => {
    const port = (silent.address() as AddressInfo).port;
    const client = new Etcd3Client({ hosts: [`127.0.0.1:${port}`], protocol: 'http', discoverMembers: false, retryTimeout: 1, ttl: 10 });
    let restarts = 0;
    client.onEndpointSwitch = () => {
      restarts++;
    };
    await assert.rejects(client.call('/kv/range', { key: 'eA==' }), DcsError);
    assert.ok(restarts >= 1, `watch restarted ${restarts} times`);
    assert.equal(client.endpoint, `http://127.0.0.1:${port}`);
  });
});
