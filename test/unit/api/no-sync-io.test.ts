// Guard for the health-check path under a load balancer's polling: answering GET /primary, /replica,
// /patroni and HEAD probes makes no synchronous file-system call (each one blocks the event loop, and
// every other request waits behind it). Every fs.*Sync function is wrapped and counted while the
// requests run; ESM named imports see the wrappers through syncBuiltinESMExports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { existsSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { startApiServer, type ApiServerHandle } from '../../../src/api/server.js';
import { restApiConfig } from '../../support/api/fixtures.js';
import { fakeContext, fakeState } from '../../support/api/fake-context.js';

const cfg = restApiConfig();

type FsTable = Record<string, unknown>;

/** Wraps every fs.*Sync function with a counter; returns the calls seen and an undo. */
function countSyncCalls(): { calls: string[]; restore: () => void } {
  const table = fs as unknown as FsTable;
  const calls: string[] = [];
  const originals = new Map<string, unknown>();
  for (const name of Object.keys(table)) {
    const fn = table[name];
    if (!name.endsWith('Sync') || typeof fn !== 'function') continue;
    originals.set(name, fn);
    table[name] = function (this: unknown, ...args: unknown[]) {
      calls.push(`${name}(${String(args[0])})`);
      return Reflect.apply(fn, this, args);
    };
  }
  syncBuiltinESMExports();
  return {
    calls,
    restore: () => {
      for (const [name, fn] of originals) table[name] = fn;
      syncBuiltinESMExports();
    },
  };
}

describe('health checks do no synchronous file-system call', () => {
  let srv: ApiServerHandle;
  before(async () => {
    srv = await startApiServer(cfg, fakeContext(fakeState()));
  });
  after(async () => srv.close());

  test('GET /primary, /replica, /patroni, /health and HEAD /primary, 50 times each', async () => {
    const base = `http://127.0.0.1:${srv.address.port}`;
    await (await fetch(`${base}/primary`)).arrayBuffer(); // first request: lazy set-up is allowed
    const probe = countSyncCalls();
    try {
      existsSync('/'); // the probe sees named imports, as the server's modules use them
      assert.deepEqual(probe.calls.splice(0), ['existsSync(/)']);
      for (let i = 0; i < 50; i++) {
        for (const path of ['/primary', '/replica', '/patroni', '/health']) await (await fetch(`${base}${path}`)).arrayBuffer();
        await (await fetch(`${base}/primary`, { method: 'HEAD' })).arrayBuffer();
      }
    } finally {
      probe.restore();
    }
    assert.deepEqual([...new Set(probe.calls)], []);
  });
});
