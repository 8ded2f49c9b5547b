// The etcd delay proxy of `chaos --stress`: answers to a delayed client come late and in order; other
// clients and requests are not held back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { DelayProxy } from '../../../chaos/delay-proxy.js';
import { freePort } from '../../support/ports.js';

/** Sends each line and collects the echoed text until `expect` characters arrived. */
function exchange(port: number, lines: string[], expect: number): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = connect(port, '127.0.0.1', () => {
      for (const l of lines) s.write(l);
    });
    let text = '';
    s.on('data', (d) => {
      text += d.toString();
      if (text.length >= expect) {
        s.destroy();
        resolve({ text, ms: performance.now() - t0 });
      }
    });
    s.on('error', reject);
  });
}

describe('chaos delay proxy', () => {
  let echo: Server;
  let proxy: DelayProxy;
  let port: number;
  before(async () => {
    echo = createServer((c) => c.on('data', (d) => c.write(d)));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    port = await freePort();
    proxy = new DelayProxy({ host: '127.0.0.1', port }, { host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  test('no delay set: a plain pass-through', async () => {
    assert.equal((await exchange(port, ['abc'], 3)).text, 'abc');
  });

  test('a delayed client gets every answer at least that late, in order', async () => {
    proxy.setDelay('127.0.0.1', 300);
    try {
      const r = await exchange(port, ['one,', 'two,', 'three'], 'one,two,three'.length);
      assert.equal(r.text, 'one,two,three');
      assert.ok(r.ms >= 290, `answered after ${r.ms} ms`);
    } finally {
      proxy.setDelay('127.0.0.1', 0);
    }
  });
});
