import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk } from '../../../bench/http.js';
import { parseHyperfineTimes } from '../../../bench/ctl.js';
import { delta, parseGrpcStarted, total } from '../../../bench/dcs-requests.js';
import { haproxyConfig } from '../../../bench/haproxy.js';
import { parseOptions, PROFILES } from '../../../bench/options.js';

const WRK = `Running 3s test @ http://127.0.0.1:8008/primary
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   612.00us  200.10us   5.00ms   90.00%
  Latency Distribution
     50%  580.00us
     75%  650.00us
     90%  800.00us
     99%    1.25ms
  52000 requests in 3.00s, 9.00MB read
Requests/sec:  17333.21
Transfer/sec:      3.00MB
`;

describe('wrk output', () => {
  test('reads requests/s and p99 in ms, whatever the unit', () => {
    assert.deepEqual(parseWrk(WRK), { rps: 17333.21, p50Ms: 0.58, p99Ms: 1.25, non2xx: 0, socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 } });
    assert.equal(parseWrk(WRK.replace('1.25ms', '850.00us')).p99Ms, 0.85);
    assert.equal(parseWrk(WRK.replace('1.25ms', '1.50s')).p99Ms, 1500);
  });
  test('counts error answers and socket errors apart (HTTP/1.0 servers cause a read error per request)', () => {
    const bad = `${WRK}  Socket errors: connect 1, read 2, write 0, timeout 3\n  Non-2xx or 3xx responses: 10\n`;
    assert.equal(parseWrk(bad).non2xx, 10);
    assert.deepEqual(parseWrk(bad).socketErrors, { connect: 1, read: 2, write: 0, timeout: 3 });
  });
  test('rejects output without the numbers', () => {
    assert.throws(() => parseWrk('unable to connect'), /cannot read wrk output/);
  });
});

test('hyperfine JSON times become milliseconds', () => {
  const json = JSON.stringify({ results: [{ command: 'x', times: [0.1, 0.25, 0.05] }] });
  assert.deepEqual(parseHyperfineTimes(json), [100, 250, 50]);
  assert.deepEqual(parseHyperfineTimes('not json'), []);
});

test('etcd gRPC started counters are summed per method and diffed', () => {
  const before = parseGrpcStarted(
    [
      '# TYPE grpc_server_started_total counter',
      'grpc_server_started_total{grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 10',
      'grpc_server_started_total{grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"} 4',
      'grpc_server_handled_total{grpc_code="OK",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 10',
    ].join('\n'),
  );
  assert.deepEqual(
    [...before],
    [
      ['Range', 10],
      ['Put', 4],
    ],
  );
  const after = new Map([
    ['Range', 25],
    ['Put', 4],
    ['Txn', 3],
  ]);
  const d = delta(before, after);
  assert.deepEqual(
    [...d],
    [
      ['Range', 15],
      ['Txn', 3],
    ],
  );
  assert.equal(total(d), 18);
});

test('HAProxy routes to the node answering 200 on /primary, checking its REST port', () => {
  const cfg = haproxyConfig(5000, [{ name: 'node1', pgPort: 5432, restPort: 8008 }]);
  assert.match(cfg, /bind 127\.0\.0\.1:5000/);
  assert.match(cfg, /http-check send meth GET uri \/primary/);
  assert.match(cfg, /server node1 127\.0\.0\.1:5432 maxconn 100 check port 8008/);
  assert.match(cfg, /on-marked-down shutdown-sessions/);
});

describe('options', () => {
  test('--quick: one repetition of the fast profile only', () => {
    const o = parseOptions(['--quick']);
    assert.equal(o.reps, 1);
    assert.deepEqual(o.profiles, [PROFILES.fast]);
  });
  test('full run: both profiles, the default one being 30/10/10', () => {
    const o = parseOptions([]);
    assert.deepEqual(
      o.profiles.map((p) => p.name),
      ['fast', 'default'],
    );
    assert.deepEqual([PROFILES.default.ttl, PROFILES.default.loopWait, PROFILES.default.retryTimeout], [30, 10, 10]);
  });
  test('profiles satisfy Patroni validation (ttl >= 20, loop_wait + 2 * retry_timeout <= ttl)', () => {
    for (const p of Object.values(PROFILES)) {
      assert.ok(p.ttl >= 20);
      assert.ok(p.loopWait + 2 * p.retryTimeout <= p.ttl);
    }
  });
  test('other DCS backends: all in a full run, none in --quick unless named; --backends-only skips etcd v3', () => {
    assert.deepEqual(parseOptions([]).backends, ['etcd2', 'zookeeper', 'exhibitor']);
    assert.deepEqual(parseOptions(['--quick']).backends, []);
    const o = parseOptions(['--quick', '--backends', 'zookeeper', '--backends-only']);
    assert.deepEqual([o.backends, o.etcd3], [['zookeeper'], false]);
    assert.equal(parseOptions([]).etcd3, true);
    assert.throws(() => parseOptions(['--backends', 'consul']), /unknown backend\(s\): consul/);
  });
  test('--results-dir takes a value; unknown options are refused', () => {
    assert.equal(parseOptions(['--results-dir', '/x']).resultsDir, '/x');
    assert.throws(() => parseOptions(['--fast']), /unknown option/);
    assert.equal(parseOptions(['--trace']).trace, true);
    assert.equal(parseOptions(['--quick']).trace, false);
  });
});
