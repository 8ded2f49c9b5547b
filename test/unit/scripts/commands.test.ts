// The argument vectors Patroni builds for user scripts, byte for byte.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  callbackCommand,
  customBootstrapCommand,
  customBootstrapMethod,
  postBootstrapCommand,
  pyList,
  replicaMethodCommand,
  worksWithoutLeader,
} from '../../../src/scripts/commands.js';
import { shlexSplit, ShlexError } from '../../../src/scripts/shlex.js';
import { pyStr } from '../../../src/util/json.js';

describe('shlex.split (POSIX)', () => {
  const cases: [string, string[]][] = [
    ['/usr/local/bin/cb.sh', ['/usr/local/bin/cb.sh']],
    ['  a   b\tc ', ['a', 'b', 'c']],
    [`/bin/restore --stanza "my stanza" 'x y'`, ['/bin/restore', '--stanza', 'my stanza', 'x y']],
    ['a\\ b c', ['a b', 'c']],
    [`"say \\"hi\\"" 'it''s'`, ['say "hi"', 'its']],
    ['echo $HOME;ls', ['echo', '$HOME;ls']],
    ['""', ['']],
    ['', []],
  ];
  for (const [input, expected] of cases) test(JSON.stringify(input), () => assert.deepEqual(shlexSplit(input), expected));
  test('an unclosed quote is an error', () => assert.throws(() => shlexSplit('"abc'), ShlexError));
});

describe('Python str() of YAML values', () => {
  test('booleans, None, numbers, strings, lists', () => {
    assert.deepEqual(
      [true, false, null, 5, 1.5, 'x', ['a', 1]].map((v) => pyStr(v)),
      ['True', 'False', 'None', '5', '1.5', 'x', "['a', 1]"],
    );
    assert.equal(pyList(['/bin/cb', 'on_start', 'replica', "it's"]), "['/bin/cb', 'on_start', 'replica', 'it\\'s']");
  });
});

describe('callbacks: cmd action role scope', () => {
  test('the command is split, the three arguments appended', () => {
    assert.deepEqual(callbackCommand('/bin/cb --x "a b"', 'on_role_change', 'primary', 'batman'), [
      '/bin/cb',
      '--x',
      'a b',
      'on_role_change',
      'primary',
      'batman',
    ]);
  });
});

describe('custom bootstrap (Bootstrap._custom_bootstrap)', () => {
  test('the method section is found only when it has a command', () => {
    assert.equal(customBootstrapMethod({ method: 'initdb' }), null);
    assert.equal(customBootstrapMethod({ method: 'wale', wale: { no_params: true } }), null);
    assert.equal(customBootstrapMethod({}), null);
    assert.deepEqual(customBootstrapMethod({ method: 'wale', wale: { command: 'x' } }), { name: 'wale', config: { command: 'x' } });
  });
  test('--scope and --datadir, then the method keys except the reserved ones', () => {
    assert.deepEqual(
      customBootstrapCommand(
        {
          command: '/bin/restore --stanza main',
          keep_existing_recovery_conf: true,
          recovery_conf: { a: 1 },
          target: 'latest',
          delta: true,
          scope: 'x',
        },
        'batman',
        '/data',
      ),
      ['/bin/restore', '--stanza', 'main', '--scope=batman', '--datadir=/data', '--target=latest', '--delta=True'],
    );
  });
  test('no_params drops --scope and --datadir but keeps the method keys', () => {
    assert.deepEqual(customBootstrapCommand({ command: 'r', no_params: true, n: 2 }, 's', '/d'), ['r', '--n=2']);
  });
});

describe('replica methods (Bootstrap.create_replica)', () => {
  const base = { scope: 'batman', dataDir: '/data', connstring: 'dbname=postgres user=rep host=h port=5432' };
  test("method keys first (keep_data and no_leader included, as Python prints them), then Patroni's four", () => {
    assert.deepEqual(
      replicaMethodCommand({ ...base, method: 'wale', config: { command: '/bin/wale restore', envdir: '/etc/wal-e', keep_data: true, no_leader: true } }),
      [
        '/bin/wale',
        'restore',
        '--envdir=/etc/wal-e',
        '--keep_data=True',
        '--no_leader=True',
        '--scope=batman',
        '--role=replica',
        '--datadir=/data',
        '--connstring=dbname=postgres user=rep host=h port=5432',
      ],
    );
  });
  test('no_params: only the method keys, without no_params/no_master/no_leader/keep_data', () => {
    assert.deepEqual(
      replicaMethodCommand({
        ...base,
        method: 'pgbackrest',
        config: { command: '/usr/bin/pgbackrest --stanza=b --delta restore', keep_data: true, no_params: true, type: 'standby' },
      }),
      ['/usr/bin/pgbackrest', '--stanza=b', '--delta', 'restore', '--type=standby'],
    );
  });
  test('without a section the method name is the command', () => {
    assert.deepEqual(replicaMethodCommand({ ...base, method: 'myclone', config: undefined, connstring: '' }), [
      'myclone',
      '--scope=batman',
      '--role=replica',
      '--datadir=/data',
      '--connstring=',
    ]);
  });
  test('which methods work without a leader', () => {
    assert.equal(worksWithoutLeader('basebackup', { no_leader: true }), false);
    assert.equal(worksWithoutLeader('wale', { no_leader: true }), true);
    assert.equal(worksWithoutLeader('wale', { no_master: 1 }), true);
    assert.equal(worksWithoutLeader('wale', {}), false);
    assert.equal(worksWithoutLeader('wale', undefined), false);
  });
});

test('post_bootstrap gets the connection string as its one argument', () => {
  assert.deepEqual(postBootstrapCommand('/bin/post "x y"', 'dbname=postgres user=postgres host=/tmp port=5432'), [
    '/bin/post',
    'x y',
    'dbname=postgres user=postgres host=/tmp port=5432',
  ]);
});

test('custom bootstrap without configured pg_hba: local trust for the superuser and replication user only', async () => {
  const { customBootstrapHba } = await import('../../../src/postgresql/bootstrap-methods.js');
  assert.equal(customBootstrapHba('postgres', 'replicator', '/var/run/postgresql'), 'local\treplication\treplicator\t\ttrust\nlocal\tall\tpostgres\t\ttrust\n');
  assert.equal(
    customBootstrapHba('postgres', 'replicator', '127.0.0.1'),
    'local\treplication\treplicator\t\ttrust\nlocal\tall\tpostgres\t\ttrust\nhost\treplication\treplicator\t127.0.0.1/32\ttrust\nhost\tall\tpostgres\t127.0.0.1/32\ttrust\n',
  );
  assert.match(customBootstrapHba('postgres', 'replicator', '::1'), /host\tall\tpostgres\t::1\/128\ttrust/);
});
