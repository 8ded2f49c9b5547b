import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optionMap, pendingCommandLineChanges } from '../../../src/postgresql/command-line.js';

test('a protected parameter changed since start is pending a restart', () => {
  const started = optionMap(['--max_connections=100', '--port=5432', '--cluster_name=batman']);
  assert.deepEqual(pendingCommandLineChanges(started, ['--max_connections=200', '--port=5432', '--cluster_name=batman']), {
    max_connections: { old_value: '100', new_value: '200' },
  });
  assert.deepEqual(pendingCommandLineChanges(started, ['--max_connections=100', '--wal_level=logical']), {}, 'new options are not compared');
});
