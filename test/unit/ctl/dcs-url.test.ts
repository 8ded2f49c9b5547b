import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDcsUrl } from '../../../src/ctl/dcs-url.js';
import { CtlError } from '../../../src/ctl/errors.js';

test('--dcs-url grammar and default ports (ctl.parse_dcs)', () => {
  const rows: [string, ReturnType<typeof parseDcsUrl>][] = [
    ['', { section: 'etcd', value: { host: 'localhost:2379' } }],
    ['etcd3://h:2399/service', { section: 'etcd3', value: { host: 'h:2399' }, namespace: '/service' }],
    ['etcd3://10.0.0.1', { section: 'etcd3', value: { host: '10.0.0.1:2379' } }],
    ['etcd://h/', { section: 'etcd', value: { host: 'h:2379' } }],
    ['localhost:8500', { section: 'consul', value: { host: 'localhost:8500' } }],
    ['h:2181', { section: 'zookeeper', value: { hosts: ['h:2181'] } }],
    [':8181', { section: 'exhibitor', value: { hosts: ['localhost'], port: 8181 } }],
    ['h:1234', { section: 'etcd', value: { host: 'h:1234' } }],
    ['consul://c', { section: 'consul', value: { host: 'c:8500' } }],
    ['zookeeper://z', { section: 'zookeeper', value: { hosts: ['z:2181'] } }],
    ['exhibitor://e:9', { section: 'exhibitor', value: { hosts: ['e'], port: 9 } }],
  ];
  for (const [url, want] of rows) assert.deepEqual(parseDcsUrl(url), want, url);
});

test('unknown scheme', () => {
  assert.throws(
    () => parseDcsUrl('redis://x'),
    (e: unknown) => e instanceof CtlError && e.message === 'Unknown dcs scheme: redis',
  );
});
