// Pure mappings of the ZooKeeper security keys: zookeeper/exhibitor sections -> TLS config and ACL
// entries (Patroni's ZooKeeper.__init__ -> kazoo), TLS config -> Node's TLS options (kazoo's
// create_tcp_connection), and Patroni's session rules (set_ttl, _kazoo_connect, create_connection).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootCertificates } from 'node:tls';
import { aclFromSetAcls, exhibitorConfig, zookeeperConfig } from '../../../src/config/dcs-zookeeper.js';
import { ConfigError } from '../../../src/config/errors.js';
import { normalizeDcs } from '../../../src/config/normalize-dcs.js';
import { buildEnvConfig } from '../../../src/config/env.js';
import { unsupportedSettings } from '../../../src/config/support.js';
import { zkTimeouts } from '../../../src/dcs/zookeeper/timeouts.js';
import { zkTlsOptions } from '../../../src/dcs/zookeeper/tls.js';

test('use_ssl with cacert, cert, key, key_password, verify -> tls; without use_ssl there is no TLS', () => {
  const full = zookeeperConfig({ hosts: ['z:2281'], use_ssl: true, cacert: '/ca', cert: '/c', key: '/k', key_password: 'pw', verify: false });
  assert.deepEqual(full.tls, { verify: false, cacert: '/ca', cert: '/c', key: '/k', key_password: 'pw' });
  assert.deepEqual(zookeeperConfig({ hosts: ['z'], use_ssl: true }).tls, { verify: true });
  assert.equal(zookeeperConfig({ hosts: ['z'], use_ssl: false, cacert: '/ca' }).tls, undefined);
  assert.equal('tls' in zookeeperConfig({ hosts: ['z'] }), false);
  // Exhibitor hands the same keys to the ZooKeeper backend.
  assert.deepEqual(exhibitorConfig({ hosts: ['e'], port: 8181, use_ssl: 'true', cacert: '/ca', set_acls: { 'CN=p': ['ALL'] } }), {
    kind: 'exhibitor',
    hosts: ['e'],
    port: 8181,
    poll_interval: 300,
    auth_data: [],
    tls: { verify: true, cacert: '/ca' },
    acl: [{ scheme: 'x509', id: 'CN=p', perms: 31 }],
  });
});

test('cert without key (or key without cert) is refused by name: kazoo would send no certificate', () => {
  assert.throws(
    () => zookeeperConfig({ hosts: ['z'], use_ssl: true, cert: '/c' }),
    (e: unknown) => e instanceof ConfigError && e.message === 'zookeeper.cert: needs zookeeper.key too (a client certificate is sent only with both)',
  );
  assert.throws(() => zookeeperConfig({ hosts: ['z'], use_ssl: true, key: '/k' }), /: zookeeper\.key: needs zookeeper\.cert too/);
});

test('set_acls -> ACL entries: x509 by default, scheme:credential principals, permission bits', () => {
  assert.deepEqual(
    aclFromSetAcls(
      {
        'CN=principal1': ['CREATE', 'READ'],
        'CN=principal2': ['ALL'],
        'digest:admin:qrkN0Ebx3XmfqLC+E1RNHb2DVgE=': ['read', 'write', 'delete'],
        'ip:10.0.0.0/8': 'ADMIN',
      },
      'zookeeper.set_acls',
    ),
    [
      { scheme: 'x509', id: 'CN=principal1', perms: 4 | 1 },
      { scheme: 'x509', id: 'CN=principal2', perms: 31 },
      { scheme: 'digest', id: 'admin:qrkN0Ebx3XmfqLC+E1RNHb2DVgE=', perms: 1 | 2 | 8 },
      { scheme: 'ip', id: '10.0.0.0/8', perms: 16 },
    ],
  );
  assert.deepEqual(zookeeperConfig({ hosts: ['z'], set_acls: { 'CN=p': ['READ', 'ALL'] } }).acl, [{ scheme: 'x509', id: 'CN=p', perms: 31 }]);
  const refused: [unknown, RegExp][] = [
    [{ 'CN=p': [] }, /^zookeeper\.set_acls\.CN=p must be a non-empty list of READ, WRITE, CREATE, DELETE, ADMIN, ALL$/],
    [{ 'CN=p': ['RAED'] }, /^zookeeper\.set_acls\.CN=p: unknown permission "RAED"/],
    [{ ':x': ['ALL'] }, /^zookeeper\.set_acls\.:x: empty ACL scheme$/],
    [['CN=p'], /^zookeeper\.set_acls must be a mapping/],
  ];
  for (const [v, re] of refused)
    assert.throws(
      () => zookeeperConfig({ hosts: ['z'], set_acls: v } as never),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      String(re),
    );
});

test('PATRONI_ZOOKEEPER_USE_SSL / _SET_ACLS / _CACERT variables make the same config', () => {
  const dcs = normalizeDcs(
    buildEnvConfig({
      PATRONI_ZOOKEEPER_HOSTS: 'z1:2281',
      PATRONI_ZOOKEEPER_USE_SSL: 'true',
      PATRONI_ZOOKEEPER_CACERT: '/ca',
      PATRONI_ZOOKEEPER_SET_ACLS: 'CN=patroni: [ALL]',
    }).config,
  );
  assert.deepEqual(dcs, {
    kind: 'zookeeper',
    hosts: ['z1:2281'],
    auth_data: [],
    tls: { verify: true, cacert: '/ca' },
    acl: [{ scheme: 'x509', id: 'CN=patroni', perms: 31 }],
  });
});

test('the security keys are no longer named as unsupported', () => {
  const raw = {
    zookeeper: { hosts: ['z'], use_ssl: true, cacert: '/ca', cert: '/c', key: '/k', key_password: 'x', verify: false, set_acls: { 'CN=p': ['ALL'] } },
  };
  assert.deepEqual(unsupportedSettings(raw), []);
});

test('TLS config -> Node TLS options: system CAs plus cacert, chain verified unless verify: false, no host name check', () => {
  const files: Record<string, string> = { '/ca': 'CA-PEM', '/c': 'CERT-PEM', '/k': 'KEY-PEM' };
  const read = (p: string) => {
    const f = files[p];
    if (f === undefined) throw new Error(`${p}: no such file`);
    return f;
  };
  const o = zkTlsOptions({ verify: true, cacert: '/ca', cert: '/c', key: '/k', key_password: 'pw' }, read);
  assert.equal(o.rejectUnauthorized, true);
  assert.deepEqual(o.ca, [...rootCertificates, 'CA-PEM']);
  assert.equal(o.cert, 'CERT-PEM');
  assert.equal(o.key, 'KEY-PEM');
  assert.equal(o.passphrase, 'pw');
  assert.equal(o.checkServerIdentity?.('wrong.example', {} as never), undefined);
  const bare = zkTlsOptions({ verify: false }, read);
  assert.equal(bare.rejectUnauthorized, false);
  assert.equal(bare.ca, undefined); // Node's default: the system CAs, as kazoo's load_default_certs
  assert.equal(bare.cert, undefined);
  assert.throws(() => zkTlsOptions({ verify: true, cacert: '/missing' }, read), /\/missing: no such file/);
});

test("Patroni's session rules: session = ttl, read timeout max(loop_wait - 2, 2), ping at half, connect max(1, loop_wait/2, ttl/10)", () => {
  assert.deepEqual(zkTimeouts({ ttl: 30, loopWait: 10 }), { sessionMs: 30_000, readMs: 8_000, pingMs: 4_000, connectMs: 5_000 });
  assert.deepEqual(zkTimeouts({ ttl: 6, loopWait: 2 }), { sessionMs: 6_000, readMs: 2_000, pingMs: 1_000, connectMs: 1_000 });
  assert.deepEqual(zkTimeouts({ ttl: 120, loopWait: 4 }), { sessionMs: 120_000, readMs: 2_000, pingMs: 1_000, connectMs: 12_000 });
  assert.equal(zkTimeouts({ ttl: 7.5, loopWait: 1 }).sessionMs, 7_500);
});

test('the transport adapter finds the library internals it replaces, applies the timeouts, and names a changed library', async () => {
  const { default: zk } = await import('node-zookeeper-client');
  const { installTransport } = await import('../../../src/dcs/zookeeper/transport.js');
  const client = zk.createClient('127.0.0.1:1', { sessionTimeout: 30_000 });
  installTransport(client, { timeouts: () => zkTimeouts({ ttl: 30, loopWait: 10 }) });
  const cm = (client as unknown as { connectionManager: { connectTimeout: number; pingTimeout: number; sessionTimeout: number } }).connectionManager;
  assert.deepEqual({ connect: cm.connectTimeout, ping: cm.pingTimeout, session: cm.sessionTimeout }, { connect: 5_000, ping: 4_000, session: 30_000 });
  const changed = { connectionManager: { connect() {} } };
  assert.throws(
    () => installTransport(changed as never, { timeouts: () => zkTimeouts({ ttl: 30, loopWait: 10 }) }),
    /node-zookeeper-client internals changed \(missing setState, findNextServer, .*\): the ZooKeeper transport adapter needs version 1\.1\.3/,
  );
});

test('--validate-config names a set_acls permission Patroni would drop silently', async () => {
  const { validateConfig, formatProblem } = await import('../../../src/config/validate.js');
  const problems = (acls: unknown) =>
    validateConfig({ zookeeper: { hosts: ['127.0.0.1:1'], use_ssl: true, set_acls: acls } } as never, { ignoreListenPort: true })
      .filter((p) => p.path.startsWith('zookeeper.set_acls'))
      .map(formatProblem);
  assert.deepEqual(problems({ 'CN=p': ['ALL'], 'digest:u:h': ['read', 'WRITE'] }), []);
  const bad = problems({ 'CN=p': ['RAED'] });
  assert.equal(bad.length, 1, bad.join('\n'));
  assert.match(bad[0]!, /^zookeeper\.set_acls .*CN=p: expected a non-empty list of READ, WRITE, CREATE, DELETE, ADMIN, ALL$/);
});
