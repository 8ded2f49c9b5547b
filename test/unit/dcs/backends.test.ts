// Pure parts of the etcd v2, ZooKeeper and Exhibitor backends: reply classifiers, config sections,
// PATRONI_* variables, and the factory's choice (or one-line refusal) of a backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exhibitorConfig, zookeeperConfig } from '../../../src/config/dcs-zookeeper.js';
import { buildEnvConfig } from '../../../src/config/env.js';
import { ConfigError } from '../../../src/config/errors.js';
import { normalizeDcs } from '../../../src/config/normalize-dcs.js';
import { classifyReply, clientUrlsOf, flattenNodes, Etcd2Code } from '../../../src/dcs/etcd2/errors.js';
import { createDcs } from '../../../src/dcs/factory.js';
import { classifyZkError, sessionIdOf, ZkCode } from '../../../src/dcs/zookeeper/errors.js';
import { ensembleFrom } from '../../../src/dcs/zookeeper/exhibitor.js';

test('etcd v2 replies: ok, refusals, cleared watch history, node trouble', () => {
  const ok = classifyReply(200, '{"action":"set","node":{"key":"/s/c/leader","value":"pg1","modifiedIndex":7,"ttl":30}}', '9');
  assert.equal(ok.kind, 'ok');
  if (ok.kind === 'ok') {
    assert.equal(ok.action, 'set');
    assert.deepEqual(ok.node, { key: '/s/c/leader', value: 'pg1', dir: false, nodes: [], modifiedIndex: '7', ttl: 30 });
    assert.equal(ok.etcdIndex, '9');
  }
  const rows: [number, string, string, number?][] = [
    [404, '{"errorCode":100,"message":"Key not found","cause":"/s/c/leader","index":3}', 'refused', Etcd2Code.KeyNotFound],
    [412, '{"errorCode":101,"message":"Compare failed","cause":"[a != b]","index":3}', 'refused', Etcd2Code.TestFailed],
    [412, '{"errorCode":105,"message":"Key already exists","cause":"/s/c/leader","index":3}', 'refused', Etcd2Code.NodeExist],
    [401, '{"errorCode":110,"message":"The request requires user authentication"}', 'refused', Etcd2Code.Unauthorized],
    [400, '{"errorCode":401,"message":"The event in requested index is outdated and cleared"}', 'cleared'],
    [500, '{"errorCode":300,"message":"Raft Internal Error"}', 'switch'],
    [503, 'upstream down', 'switch'],
    [0, '', 'switch'],
    [404, 'not etcd', 'refused', 0],
  ];
  for (const [status, body, kind, code] of rows) {
    const c = classifyReply(status, body, undefined);
    assert.equal(c.kind, kind, body);
    if (c.kind === 'refused') assert.equal(c.error.code, code, body);
  }
  // A refusal carries etcd's index, where a watch must start so the next change is not missed.
  const missing = classifyReply(404, '{"errorCode":100,"message":"Key not found","cause":"/s/c","index":42}', '41');
  assert.equal(missing.kind === 'refused' && missing.error.index, '42');
});

test('etcd v2 directories flatten to their leaves; /v2/members gives client URLs', () => {
  const dir = classifyReply(
    200,
    JSON.stringify({
      action: 'get',
      node: {
        key: '/s/c',
        dir: true,
        nodes: [
          { key: '/s/c/leader', value: 'a', modifiedIndex: 5 },
          { key: '/s/c/members', dir: true, nodes: [{ key: '/s/c/members/a', value: '{}', modifiedIndex: 4 }] },
          'garbage',
        ],
      },
    }),
    '5',
  );
  assert.equal(dir.kind, 'ok');
  if (dir.kind === 'ok')
    assert.deepEqual(
      flattenNodes(dir.node).map((n) => n.key),
      ['/s/c/leader', '/s/c/members/a'],
    );
  assert.deepEqual(clientUrlsOf('{"members":[{"clientURLs":["http://a:2379/"]},{"clientURLs":["http://b:2379","http://a:2379"]}]}'), [
    'http://a:2379',
    'http://b:2379',
  ]);
  assert.deepEqual(clientUrlsOf('nope'), []);
});

test('ZooKeeper results: the answer to this request is a refusal, a lost session is a DCS failure', () => {
  for (const code of [ZkCode.NoNode, ZkCode.NodeExists, ZkCode.BadVersion, ZkCode.NotEmpty, ZkCode.NoAuth]) {
    assert.equal(classifyZkError(code, 'x', '/p').kind, 'refused', String(code));
  }
  for (const code of [ZkCode.ConnectionLoss, ZkCode.SessionExpired, ZkCode.OperationTimeout, ZkCode.AuthFailed, undefined]) {
    assert.equal(classifyZkError(code, 'x', '/p').kind, 'unavailable', String(code));
  }
  assert.equal(sessionIdOf(Buffer.alloc(8)), undefined);
  assert.equal(sessionIdOf(Buffer.from('0100000360700000', 'hex')), '0100000360700000');
});

test("Exhibitor's cluster list -> sorted host:port ensemble", () => {
  assert.deepEqual(ensembleFrom('{"servers":["zk2","zk1"],"port":2181}'), ['zk1:2181', 'zk2:2181']);
  assert.deepEqual(ensembleFrom('{"servers":["::1"],"port":"2182"}'), ['[::1]:2182']);
  for (const bad of ['{"servers":[],"port":2181}', '{"servers":["a"]}', '[]', 'html']) assert.equal(ensembleFrom(bad), undefined, bad);
});

test('zookeeper / exhibitor sections: hosts, default port, auth_data (TLS and set_acls: zookeeper-security.test.ts)', () => {
  assert.deepEqual(zookeeperConfig({ hosts: 'a:1, b' }), { kind: 'zookeeper', hosts: ['a:1', 'b:2181'], auth_data: [] });
  assert.deepEqual(zookeeperConfig({ hosts: ['a'], auth_data: { digest: 'u:p' } }).auth_data, [['digest', 'u:p']]);
  assert.deepEqual(zookeeperConfig({ hosts: ['a'], auth_data: [['digest', 'u:p']] }).auth_data, [['digest', 'u:p']]);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{}, /^zookeeper\.hosts must be set$/],
    [{ hosts: ['a:99999'] }, /port must be a number/],
  ];
  for (const [section, re] of refused)
    assert.throws(
      () => zookeeperConfig(section as never),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  assert.deepEqual(exhibitorConfig({ hosts: ['e1', 'e2'], port: 8181 }), {
    kind: 'exhibitor',
    hosts: ['e1', 'e2'],
    port: 8181,
    poll_interval: 300,
    auth_data: [],
  });
  assert.throws(() => exhibitorConfig({ hosts: ['e1'] }), /exhibitor\.port must be set/);
});

test('PATRONI_ETCD_* / PATRONI_ZOOKEEPER_* / PATRONI_EXHIBITOR_* variables make the DCS section', () => {
  const dcsOf = (env: NodeJS.ProcessEnv) => normalizeDcs(buildEnvConfig(env).config);
  assert.deepEqual(dcsOf({ PATRONI_ETCD_HOSTS: "'h1:2379','h2'" }), { kind: 'etcd', hosts: ['h1:2379', 'h2:2379'], protocol: 'http', use_proxies: false });
  assert.deepEqual(dcsOf({ PATRONI_ETCD_URL: 'https://e:4001', PATRONI_ETCD_USERNAME: 'u', PATRONI_ETCD_PASSWORD: 'p' }), {
    kind: 'etcd',
    hosts: ['e:4001'],
    protocol: 'https',
    use_proxies: false,
    username: 'u',
    password: 'p',
  });
  // Patroni's precedence: proxy first (SRV ignored), then SRV with hosts as its fallback.
  assert.deepEqual(dcsOf({ PATRONI_ETCD_PROXY: 'http://p:8080', PATRONI_ETCD_HOSTS: 'h1', PATRONI_ETCD_SRV: 'example.org' }), {
    kind: 'etcd',
    hosts: ['p:8080'],
    protocol: 'http',
    use_proxies: true,
  });
  assert.deepEqual(dcsOf({ PATRONI_ETCD_SRV: 'example.org', PATRONI_ETCD_SRV_SUFFIX: 'blue', PATRONI_ETCD_HOSTS: 'h1' }), {
    kind: 'etcd',
    hosts: ['h1:2379'],
    protocol: 'http',
    use_proxies: false,
    srv: { domain: 'example.org', suffix: 'blue' },
  });
  // Old names, renamed as Patroni's get_etcd_client does (srv_domain last, so it wins).
  assert.deepEqual(normalizeDcs({ etcd3: { srv: 'a', discovery_srv: 'b', srv_domain: 'c' } }), {
    kind: 'etcd3',
    hosts: [],
    protocol: 'http',
    use_proxies: false,
    srv: { domain: 'c' },
  });
  assert.deepEqual(normalizeDcs({ etcd3: { srv: 'a', discovery_srv: 'b' } }), {
    kind: 'etcd3',
    hosts: [],
    protocol: 'http',
    use_proxies: false,
    srv: { domain: 'b' },
  });
  assert.deepEqual(dcsOf({ PATRONI_ZOOKEEPER_HOSTS: 'z1:2181,z2' }), { kind: 'zookeeper', hosts: ['z1:2181', 'z2:2181'], auth_data: [] });
  assert.deepEqual(dcsOf({ PATRONI_EXHIBITOR_HOSTS: 'x1,x2', PATRONI_EXHIBITOR_PORT: '8181' }), {
    kind: 'exhibitor',
    hosts: ['x1', 'x2'],
    port: 8181,
    poll_interval: 300,
    auth_data: [],
  });
});

test('factory: every supported kind builds its backend; consul, kubernetes, raft refused in one line', async () => {
  const base = { scope: 's', namespace: '/service/', name: 'n' };
  for (const kind of ['consul', 'kubernetes', 'raft'] as const) {
    await assert.rejects(
      () => createDcs({ ...base, dcs: { kind, section: {} } }, 'ctl'),
      new RegExp(`^Error: ${kind}: the ${kind} DCS is not supported by patroni-ts yet \\(use etcd3, etcd, zookeeper or exhibitor\\)$`),
    );
    assert.throws(
      () => normalizeDcs({ [kind]: { host: 'x' } }),
      (e: unknown) => e instanceof ConfigError && !e.message.includes('\n') && e.message.includes(`the ${kind} DCS is not supported by patroni-ts yet`),
    );
  }
  const e2 = await createDcs({ ...base, dcs: { kind: 'etcd', hosts: ['127.0.0.1:1'], protocol: 'http', use_proxies: false } }, 'ctl');
  assert.equal(e2.backend, 'etcd');
  assert.equal(e2.clusterPath, '/service/s');
  await e2.close();
  const zk = await createDcs({ ...base, dcs: { kind: 'zookeeper', hosts: ['127.0.0.1:1'], auth_data: [] } }, 'ctl');
  assert.equal(zk.backend, 'zookeeper');
  await zk.close();
  const ex = await createDcs({ ...base, dcs: { kind: 'exhibitor', hosts: ['127.0.0.1'], port: 1, poll_interval: 300, auth_data: [] } }, 'ctl');
  assert.equal(ex.backend, 'exhibitor');
  await ex.close();
});
