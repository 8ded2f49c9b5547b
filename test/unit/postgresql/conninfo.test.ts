import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildPrimaryConninfo, formatDsn, parseDsn, pgpassLines } from '../../../src/postgresql/conninfo.js';

const base = {
  host: '10.0.0.1',
  port: 5433,
  applicationName: 'node-2',
  database: 'postgres',
  pgpass: '/home/pg/pgpass',
  auth: { username: 'replicator', password: 'secret' },
};

describe('primary_conninfo', () => {
  test("Patroni's key order and defaults on PG15, password moved to pgpass", () => {
    const { params, pgpass } = buildPrimaryConninfo({ ...base, majorVersion: 150000 });
    assert.equal(
      formatDsn(params),
      'dbname=postgres user=replicator passfile=/home/pg/pgpass host=10.0.0.1 port=5433 sslmode=prefer application_name=node-2 gssencmode=prefer channel_binding=prefer',
    );
    assert.deepEqual(pgpass, { host: '10.0.0.1', port: '5433', user: 'replicator', password: 'secret' });
  });
  test('version-gated keys: PG11 has no gssencmode/channel_binding, PG17 adds sslnegotiation', () => {
    assert.doesNotMatch(formatDsn(buildPrimaryConninfo({ ...base, majorVersion: 110000 }).params), /gssencmode|channel_binding/);
    assert.match(formatDsn(buildPrimaryConninfo({ ...base, majorVersion: 170000 }).params), /channel_binding=prefer sslnegotiation=postgres$/);
  });
  test('PG9.6 keeps the password inline', () => {
    const dsn = formatDsn(buildPrimaryConninfo({ ...base, majorVersion: 90600 }).params);
    assert.match(dsn, /^dbname=postgres user=replicator password=secret host=/);
  });
  test('SSL keys from authentication in their slots, sslmode not overridden', () => {
    const auth = { username: 'r', password: 'p', sslmode: 'verify-full', sslrootcert: '/ca.crt', sslcrldir: '/crl' };
    const dsn = formatDsn(buildPrimaryConninfo({ ...base, auth, majorVersion: 130000 }).params);
    assert.equal(
      dsn,
      'dbname=postgres user=r passfile=/home/pg/pgpass host=10.0.0.1 port=5433 sslmode=verify-full sslrootcert=/ca.crt application_name=node-2 gssencmode=prefer channel_binding=prefer',
    );
  });
  test("values with ', \\ and space are backslash-escaped and parse back", () => {
    const params = { user: "o'neil", host: 'h', application_name: 'my node\\x' };
    const dsn = formatDsn(params);
    assert.equal(dsn, "user=o\\'neil host=h application_name=my\\ node\\\\x");
    assert.deepEqual(parseDsn(dsn), params);
    assert.deepEqual(parseDsn("host='a b' port=1"), { host: 'a b', port: '1' });
  });
});

describe('pgpass lines', () => {
  test('host:port:*:user:password with : and \\ escaped', () => {
    assert.equal(pgpassLines({ host: 'h1', port: '5432', user: 'u:x', password: 'p\\w:d' }), 'h1:5432:*:u\\:x:p\\\\w\\:d');
  });
  test('one line per host; socket dir adds localhost', () => {
    assert.equal(pgpassLines({ host: 'a,b', port: '1', user: 'u', password: 'p' }), 'a:1:*:u:p\nb:1:*:u:p');
    assert.equal(pgpassLines({ host: '/tmp', port: '1', user: 'u', password: 'p' }), '/tmp:1:*:u:p\nlocalhost:1:*:u:p');
  });
});
