import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, PROFILES } from '../../../bench/options.js';
import { leaseIds, rewriteJson } from '../../../bench/scale/rewrite.js';
import { replicationCapacity } from '../../../bench/scale/run.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: unknown): string => Buffer.from(String(s), 'base64').toString();

describe('replaying a recorded cluster as another one', () => {
  const r = { fromPrefix: '/service/rec-ts-1', toPrefix: '/service/sim-ts-7', leases: new Map([['7587869', '9001']]) };

  test('keys and range ends move to the simulated scope; values and other scopes stay', () => {
    const out = rewriteJson({ key: b64('/service/rec-ts-1/'), range_end: b64('/service/rec-ts-10'), value: b64('/service/rec-ts-1/x') }, r);
    assert.deepEqual(out, { key: b64('/service/sim-ts-7/'), range_end: b64('/service/sim-ts-70'), value: b64('/service/rec-ts-1/x') });
    assert.equal(unb64((rewriteJson({ key: b64('/service/other/leader') }, r) as { key: string }).key), '/service/other/leader');
  });

  test('inside a transaction: compares and puts, with the lease mapped to the simulated member', () => {
    const txn = {
      compare: [{ key: b64('/service/rec-ts-1/leader'), target: 'VALUE', value: b64('node1') }],
      success: [{ request_put: { key: b64('/service/rec-ts-1/leader'), value: b64('node1'), lease: '7587869' } }],
    };
    const out = rewriteJson(txn, r) as typeof txn;
    assert.equal(unb64(out.compare[0]?.key), '/service/sim-ts-7/leader');
    assert.equal(unb64(out.success[0]?.request_put.key), '/service/sim-ts-7/leader');
    assert.equal(out.success[0]?.request_put.lease, '9001');
    assert.deepEqual(rewriteJson({ ID: '7587869' }, r), { ID: '9001' });
  });

  test('a watch starts from now, not from the recorded revision', () => {
    const out = rewriteJson({ create_request: { key: b64('/service/rec-ts-1/'), range_end: b64('/service/rec-ts-10'), start_revision: '42' } }, r);
    assert.deepEqual(out, { create_request: { key: b64('/service/sim-ts-7/'), range_end: b64('/service/sim-ts-70') } });
  });

  test('lease IDs a body references (0, "no lease", is not one)', () => {
    assert.deepEqual(leaseIds({ success: [{ request_put: { lease: '12' } }], ID: 0 }), ['12']);
    assert.deepEqual(leaseIds({ ID: '34' }), ['34']);
  });
});

describe('--scale options', () => {
  test('defaults: 15 members, 1,000 clusters, fast profile only, no other backends', () => {
    const o = parseOptions(['--scale']);
    assert.deepEqual(o.scale, { members: 15, clusters: 1000, recordSeconds: 60, replaySeconds: 60 });
    assert.deepEqual(o.profiles, [PROFILES.fast]);
    assert.deepEqual(o.backends, []);
  });
  test('a tiny configuration, and bad values refused', () => {
    assert.deepEqual(parseOptions(['--scale', '--members', '5', '--clusters', '20', '--record-seconds', '20', '--replay-seconds', '20']).scale, {
      members: 5,
      clusters: 20,
      recordSeconds: 20,
      replaySeconds: 20,
    });
    assert.throws(() => parseOptions(['--scale', '--members', '2']), /--members must be an integer >= 3/);
    assert.equal(parseOptions([]).scale, undefined);
  });
});

describe('--scale large cluster', () => {
  test("walsenders and slots for every replica's basebackup (2 senders + a temporary slot) at once; never below the harness's 10", () => {
    assert.deepEqual(replicationCapacity(15), { max_wal_senders: 32, max_replication_slots: 32 });
    assert.deepEqual(replicationCapacity(3), { max_wal_senders: 10, max_replication_slots: 10 });
  });
});
