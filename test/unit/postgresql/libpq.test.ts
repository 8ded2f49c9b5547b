// libpq's connection rules mapped onto node-postgres (issue 10): one row per sslmode and keyword.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectTimeoutMs, LibpqError, libpqPlan, sessionAttrsMismatch, withEnvDefaults, type FileAccess } from '../../../src/postgresql/libpq.js';

function files(present: Record<string, string>): FileAccess {
  return {
    exists: (p) => p in present,
    read: (p) => Buffer.from(present[p] ?? ''),
    list: (d) => Object.keys(present).filter((p) => p.startsWith(`${d}/`)),
  };
}
const HOME = '/home/u';
const none = files({});
const plan = (p: Record<string, string>, host = 'db1', f = none) => libpqPlan(p, host, HOME, f);
const kinds = (p: ReturnType<typeof plan>) => p.attempts.map((a) => (a.ssl === false ? 'plain' : a.ssl.rejectUnauthorized ? 'tls-verify' : 'tls'));

describe('sslmode as libpq defines it', () => {
  test('disable: plain only; allow: plain then TLS; prefer (default): TLS then plain; require: TLS only', () => {
    assert.deepEqual(kinds(plan({ sslmode: 'disable' })), ['plain']);
    assert.deepEqual(kinds(plan({ sslmode: 'allow' })), ['plain', 'tls']);
    assert.deepEqual(kinds(plan({})), ['tls', 'plain']);
    assert.deepEqual(kinds(plan({ sslmode: 'prefer' })), ['tls', 'plain']);
    assert.deepEqual(kinds(plan({ sslmode: 'require' })), ['tls']);
  });

  test('require with a root certificate file present behaves as verify-ca (explicit or ~/.postgresql/root.crt)', () => {
    assert.deepEqual(kinds(plan({ sslmode: 'require', sslrootcert: '/ca.crt' }, 'db1', files({ '/ca.crt': 'CA' }))), ['tls-verify']);
    const viaHome = plan({ sslmode: 'require' }, 'db1', files({ '/home/u/.postgresql/root.crt': 'CA' }));
    assert.deepEqual(kinds(viaHome), ['tls-verify']);
    const tls = viaHome.attempts[0]?.ssl;
    assert.ok(tls && tls.checkServerIdentity, 'no host name check');
    assert.deepEqual(tls.ca, Buffer.from('CA'));
    // prefer still falls back to plain only when the server refuses TLS; on TLS the chain is verified.
    assert.deepEqual(kinds(plan({ sslmode: 'prefer', sslrootcert: '/ca.crt' }, 'db1', files({ '/ca.crt': 'CA' }))), ['tls-verify', 'plain']);
  });

  test('verify-ca checks the chain but not the host name; verify-full checks both', () => {
    const f = files({ '/ca.crt': 'CA' });
    const ca = plan({ sslmode: 'verify-ca', sslrootcert: '/ca.crt' }, '10.0.0.1', f).attempts[0]?.ssl;
    assert.ok(ca && ca.rejectUnauthorized === true && ca.checkServerIdentity?.('x', {} as never) === undefined);
    const full = plan({ sslmode: 'verify-full', sslrootcert: '/ca.crt' }, 'db.example', f).attempts[0]?.ssl;
    assert.ok(full && full.rejectUnauthorized === true && full.checkServerIdentity === undefined && full.servername === 'db.example');
  });

  test('verify-* without a root certificate file is refused before connecting, naming the file', () => {
    assert.throws(
      () => plan({ sslmode: 'verify-ca' }),
      (e: unknown) => e instanceof LibpqError && e.message.startsWith('root certificate file "/home/u/.postgresql/root.crt" does not exist'),
    );
  });

  test('a unix socket never uses TLS, whatever sslmode says', () => {
    for (const sslmode of ['require', 'verify-ca', 'verify-full', 'prefer', 'allow']) {
      assert.deepEqual(kinds(plan({ sslmode, sslrootcert: '/missing' }, '/var/run/postgresql')), ['plain'], sslmode);
    }
  });

  test('client certificate: sslcert/sslkey/sslpassword, else ~/.postgresql/postgresql.crt and .key', () => {
    const f = files({ '/c.crt': 'CERT', '/c.key': 'KEY', '/home/u/.postgresql/postgresql.crt': 'HC', '/home/u/.postgresql/postgresql.key': 'HK' });
    const explicit = plan({ sslmode: 'require', sslcert: '/c.crt', sslkey: '/c.key', sslpassword: 'pw' }, 'db1', f).attempts[0]?.ssl;
    assert.ok(explicit);
    assert.deepEqual([explicit.cert, explicit.key, explicit.passphrase], [Buffer.from('CERT'), Buffer.from('KEY'), 'pw']);
    const home = plan({ sslmode: 'require' }, 'db1', f).attempts[0]?.ssl;
    assert.ok(home);
    assert.deepEqual([home.cert, home.key], [Buffer.from('HC'), Buffer.from('HK')]);
    assert.throws(
      () => plan({ sslmode: 'require', sslcert: '/c.crt', sslkey: '/nope.key' }, 'db1', f),
      /certificate present, but not private key file "\/nope\.key"/,
    );
  });

  test('sslcrl and sslcrldir are loaded when the server certificate is verified', () => {
    const f = files({ '/ca.crt': 'CA', '/r.crl': 'CRL1', '/crls/a.crl': 'CRL2' });
    const tls = plan({ sslmode: 'verify-ca', sslrootcert: '/ca.crt', sslcrl: '/r.crl', sslcrldir: '/crls' }, 'db1', f).attempts[0]?.ssl;
    assert.ok(tls);
    assert.deepEqual(tls.crl, [Buffer.from('CRL1'), Buffer.from('CRL2')]);
  });
});

describe('other keywords', () => {
  test('channel_binding: require needs TLS; disable turns SCRAM-SHA-256-PLUS off', () => {
    assert.throws(() => plan({ sslmode: 'disable', channel_binding: 'require' }), /channel binding required, but SSL not in use/);
    assert.equal(plan({ sslmode: 'require', channel_binding: 'require' }).requireChannelBinding, true);
    assert.equal(plan({ channel_binding: 'disable' }).enableChannelBinding, false);
    assert.equal(plan({}).enableChannelBinding, true);
  });

  test('gssencmode: prefer/disable connect without GSS; require is refused (no GSSAPI)', () => {
    assert.deepEqual(kinds(plan({ gssencmode: 'prefer' })), ['tls', 'plain']);
    assert.throws(() => plan({ gssencmode: 'require' }), /gssencmode value "require" invalid/);
  });

  test('connect_timeout: unset uses the caller default; 0 waits for ever; 1 is raised to 2', () => {
    assert.equal(connectTimeoutMs(undefined, 3), 3000);
    assert.equal(connectTimeoutMs('0', 3), 0);
    assert.equal(connectTimeoutMs('1', 3), 2000);
    assert.equal(connectTimeoutMs('10', 3), 10000);
    assert.equal(plan({ connect_timeout: '7' }).connectTimeoutMs, 7000);
  });

  test('target_session_attrs verdicts with libpq messages', () => {
    assert.equal(sessionAttrsMismatch('read-write', true), 'session is read-only');
    assert.equal(sessionAttrsMismatch('read-write', false), null);
    assert.equal(sessionAttrsMismatch('primary', true), 'server is in hot standby mode');
    assert.equal(sessionAttrsMismatch('standby', false), 'server is not in hot standby mode');
    assert.throws(() => plan({ target_session_attrs: 'master' }), /invalid target_session_attrs value: "master"/);
  });

  test('PG* environment variables fill only what the keywords leave unset', () => {
    assert.deepEqual(withEnvDefaults({ sslmode: 'disable' }, { PGSSLMODE: 'require', PGSSLCERT: '/e.crt' }), { sslmode: 'disable', sslcert: '/e.crt' });
  });

  test('invalid sslmode is refused', () => {
    assert.throws(() => plan({ sslmode: 'verify' }), /invalid sslmode value: "verify"/);
  });
});
