// DNS SRV discovery of etcd (Patroni's _get_machines_cache_from_srv): names, protocol choice,
// answer -> endpoints, peer /members, fallback to hosts. The SRV and HTTP answers are fakes here;
// test/integration/dcs/etcd-srv.test.ts runs a real DNS server and a real etcd.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Etcd3Config } from '../../../src/config/types.js';
import {
  clientUrlsOfPeerMembers,
  discoverFromSrv,
  reseeded,
  resolveEtcdSrv,
  srvQueries,
  srvReseed,
  srvUrl,
  type SrvIo,
  type SrvTarget,
} from '../../../src/dcs/srv-discovery.js';

function fakeIo(records: Record<string, SrvTarget[]>, pages: Record<string, { status: number; body: string } | Error> = {}) {
  const asked: string[] = [];
  const fetched: string[] = [];
  const io: SrvIo = {
    resolveSrv: async (name) => {
      asked.push(name);
      return records[name] ?? [];
    },
    get: async (url) => {
      fetched.push(url);
      const p = pages[url];
      if (p === undefined) throw new Error('connection refused');
      if (p instanceof Error) throw p;
      return p;
    },
  };
  return { io, asked, fetched };
}

test('the six names in Patroni order, https for -ssl, /members for -server, suffix appended', () => {
  assert.deepEqual(
    srvQueries({ domain: 'example.org' }).map((q) => [q.name, q.protocol, q.peer]),
    [
      ['_etcd-client-ssl._tcp.example.org', 'https', false],
      ['_etcd-client._tcp.example.org', 'http', false],
      ['_etcd-ssl._tcp.example.org', 'https', false],
      ['_etcd._tcp.example.org', 'http', false],
      ['_etcd-server-ssl._tcp.example.org', 'https', true],
      ['_etcd-server._tcp.example.org', 'http', true],
    ],
  );
  assert.deepEqual(
    srvQueries({ domain: 'example.org', suffix: 'blue' }).map((q) => q.name),
    [
      '_etcd-client-ssl-blue._tcp.example.org',
      '_etcd-client-blue._tcp.example.org',
      '_etcd-ssl-blue._tcp.example.org',
      '_etcd-blue._tcp.example.org',
      '_etcd-server-ssl-blue._tcp.example.org',
      '_etcd-server-blue._tcp.example.org',
    ],
  );
  // Patroni tests '-ssl' / '-server' on the name with its suffix: a suffix 'ssl' makes every name https.
  assert.deepEqual(
    srvQueries({ domain: 'd', suffix: 'ssl' }).map((q) => q.protocol),
    ['https', 'https', 'https', 'https', 'https', 'https'],
  );
});

test('srvUrl: trailing dot dropped, IPv6 literal bracketed, /members on peer records', () => {
  const [clientSsl, , , , serverSsl] = srvQueries({ domain: 'd' });
  assert.ok(clientSsl && serverSsl);
  assert.equal(srvUrl(clientSsl, { name: 'etcd1.example.org.', port: 2379 }), 'https://etcd1.example.org:2379');
  assert.equal(srvUrl(serverSsl, { name: 'etcd1.example.org', port: 2380 }), 'https://etcd1.example.org:2380/members');
  assert.equal(srvUrl(clientSsl, { name: '::1', port: 2379 }), 'https://[::1]:2379');
});

test('the first name that resolves wins and sets the protocol; answer order kept, priority and weight ignored', async () => {
  const { io, asked } = fakeIo({
    '_etcd-client._tcp.d': [
      { name: 'b.d.', port: 2379 },
      { name: 'a.d.', port: 2379 },
      { name: 'b.d.', port: 2379 },
    ],
    '_etcd-server._tcp.d': [{ name: 'c.d.', port: 2380 }],
  });
  assert.deepEqual(await discoverFromSrv({ domain: 'd' }, io, 1000), { protocol: 'http', endpoints: ['http://b.d:2379', 'http://a.d:2379'] });
  assert.deepEqual(asked, ['_etcd-client-ssl._tcp.d', '_etcd-client._tcp.d']);
  const ssl = fakeIo({ '_etcd-client-ssl._tcp.d': [{ name: 'a.d', port: 2379 }], '_etcd-client._tcp.d': [{ name: 'x', port: 1 }] });
  assert.deepEqual(await discoverFromSrv({ domain: 'd' }, ssl.io, 1000), { protocol: 'https', endpoints: ['https://a.d:2379'] });
});

test('peer records: GET /members on each target until one answers; its clientURLs are the endpoints', async () => {
  const members = JSON.stringify([
    { id: 1, name: 'e1', peerURLs: ['http://a:2380'], clientURLs: ['http://a:2379/'] },
    { id: 2, name: 'e2', peerURLs: ['http://b:2380'], clientURLs: ['http://b:2379', 'http://a:2379'] },
  ]);
  const { io, fetched } = fakeIo(
    {
      '_etcd-server._tcp.d': [
        { name: 'down', port: 2380 },
        { name: 'busy', port: 2380 },
        { name: 'a', port: 2380 },
        { name: 'b', port: 2380 },
      ],
    },
    { 'http://busy:2380/members': { status: 503, body: 'no' }, 'http://a:2380/members': { status: 200, body: members } },
  );
  assert.deepEqual(await discoverFromSrv({ domain: 'd' }, io, 1000), { protocol: 'http', endpoints: ['http://a:2379', 'http://b:2379'] });
  assert.deepEqual(fetched, ['http://down:2380/members', 'http://busy:2380/members', 'http://a:2380/members']);
});

test('nothing resolves: undefined; resolveEtcdSrv falls back to the configured hosts, else undefined', async () => {
  const none = fakeIo({});
  assert.equal(await discoverFromSrv({ domain: 'd' }, none.io, 1000), undefined);
  assert.equal(none.asked.length, 6);
  const base: Etcd3Config = { kind: 'etcd3', hosts: ['h1:2379'], protocol: 'http', use_proxies: false, srv: { domain: 'd' } };
  assert.deepEqual(await resolveEtcdSrv(base, 1, none.io), { kind: 'etcd3', hosts: ['h1:2379'], protocol: 'http', use_proxies: false });
  assert.equal(await resolveEtcdSrv({ ...base, hosts: [] }, 1, none.io), undefined);
  const found = fakeIo({ '_etcd-ssl._tcp.d': [{ name: 'e', port: 2379 }] });
  assert.deepEqual(await resolveEtcdSrv(base, 1, found.io), { kind: 'etcd3', hosts: ['https://e:2379'], protocol: 'https', use_proxies: false });
  const { srv: _srv, ...plain } = base;
  assert.equal(await resolveEtcdSrv(plain, 1, none.io), plain);
  assert.equal(none.asked.length, 18);
});

test('clientUrlsOfPeerMembers: only the peer /members JSON counts', () => {
  assert.deepEqual(clientUrlsOfPeerMembers('[{"clientURLs":["http://a:2379"]},{"clientURLs":[]}]'), ['http://a:2379']);
  for (const bad of ['', 'nope', '{}', '[{"name":"x"}]', '[1]']) assert.equal(clientUrlsOfPeerMembers(bad), undefined, bad);
});

test('reseed: the same source again as base URLs; another protocol is not taken; merged in front, or replacing behind proxies', async () => {
  const cfg: Etcd3Config = { kind: 'etcd', hosts: ['h1:2379'], protocol: 'http', use_proxies: false, srv: { domain: 'd' } };
  const io = fakeIo({ '_etcd-client._tcp.d': [{ name: 'n', port: 1 }] }).io;
  assert.deepEqual(await srvReseed(cfg, 'http', 1, io)(), ['http://n:1']);
  assert.equal(await srvReseed(cfg, 'https', 1, io)(), undefined);
  assert.deepEqual(await srvReseed(cfg, 'http', 1, fakeIo({}).io)(), ['http://h1:2379']);
  assert.deepEqual(reseeded(['http://a:1', 'http://b:1'], ['http://b:1', 'http://c:1'], false), ['http://b:1', 'http://c:1', 'http://a:1']);
  assert.deepEqual(reseeded(['http://a:1'], ['http://c:1'], true), ['http://c:1']);
});
