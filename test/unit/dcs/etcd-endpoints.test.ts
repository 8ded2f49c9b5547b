// The retry policy both etcd clients share (Patroni's AbstractEtcd.retry): other nodes at once, a pause
// only after a whole failed round, a refusal passed through untouched, DcsError once the deadline is near.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DcsError } from '../../../src/dcs/dcs.js';
import { EtcdEndpoints, Retryable } from '../../../src/dcs/etcd-endpoints.js';
import { ConnectionError } from '../../../src/dcs/etcd3-http.js';

class Probe extends EtcdEndpoints {
  readonly tried: string[] = [];
  switches = 0;
  constructor(endpoints: string[]) {
    super(endpoints, { protocol: 'http', retryTimeout: 10 }, 'etcd-test', 0);
  }
  protected override onSwitch(): void {
    this.switches++;
  }
  /** Each attempt records the endpoint, then does what `answers` says in turn. */
  run<T>(answers: (() => T)[], deadline = this.deadline()): Promise<T> {
    let i = 0;
    return this.retrying('etcd-test op', deadline, async () => {
      this.tried.push(this.endpoint);
      const answer = answers[Math.min(i++, answers.length - 1)]!;
      return answer();
    });
  }
  discovered(urls: string[]): void {
    this.useDiscovered(urls);
  }
}

const refused = () => {
  throw new ConnectionError('connect ECONNREFUSED');
};

describe('EtcdEndpoints', () => {
  test('no endpoints: refused at construction', () => {
    assert.throws(() => new Probe([]), /etcd-test: no hosts configured/);
  });

  test('a connection error moves on to the next node at once, which answers', async () => {
    const p = new Probe(['http://a', 'http://b', 'http://a']);
    assert.equal(await p.run([refused, () => 'ok']), 'ok');
    assert.deepEqual(p.tried, ['http://a', 'http://b']);
    assert.equal(p.switches, 1);
    assert.equal(p.endpoint, 'http://b');
  });

  test('a retryable answer that keeps the node: the same node again after a pause', async () => {
    const p = new Probe(['http://a', 'http://b']);
    const busy = () => {
      throw new Retryable('too many requests', false);
    };
    assert.equal(await p.run([busy, () => 'ok']), 'ok');
    assert.deepEqual(p.tried, ['http://a', 'http://a']);
    assert.equal(p.switches, 0);
  });

  test('a refusal is no reason to retry: it is thrown as it is', async () => {
    const p = new Probe(['http://a', 'http://b']);
    const refusal = new Error('key exists');
    await assert.rejects(
      p.run([
        () => {
          throw refusal;
        },
      ]),
      (e) => e === refusal,
    );
    assert.deepEqual(p.tried, ['http://a']);
  });

  test('every node down until the deadline: DcsError naming the operation and the last reason', async () => {
    const p = new Probe(['http://a', 'http://b']);
    await assert.rejects(p.run([refused], Date.now() + 150), (e) => e instanceof DcsError && /^etcd-test op failed: connect ECONNREFUSED$/.test(e.message));
    assert.ok(p.tried.includes('http://a') && p.tried.includes('http://b'), 'both nodes tried');
  });

  test('discovery replaces the list and stays on the current node when it is listed', () => {
    const p = new Probe(['http://a', 'http://b']);
    p.discovered(['http://c', 'http://b', 'http://a']);
    assert.equal(p.endpoint, 'http://a');
    p.discovered(['http://d']);
    assert.equal(p.endpoint, 'http://d');
  });
});
