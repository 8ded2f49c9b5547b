// edit-config's pure parts: -s/-p edits, YAML 1.1 values, --apply merge and difflib-identical diffs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfigChanges, applyYamlText, jsonEqual } from '../../../src/ctl/config-edit.js';
import { blockYaml } from '../../../src/ctl/py-yaml.js';
import { diffLines, unifiedDiff } from '../../../src/ctl/unified-diff.js';

test('-s and -p pairs: dotted paths, GUCs with dots, YAML 1.1 values, null deletes', () => {
  const before = { ttl: 30, loop_wait: 10, postgresql: { parameters: { work_mem: '4MB' } } };
  const after = applyConfigChanges(before, [
    'ttl=20',
    'postgresql.parameters.max_connections=101',
    'postgresql.parameters.auto_explain.log_min_duration=on',
    'postgresql.parameters.work_mem=null',
    'synchronous_mode=true',
  ]);
  assert.deepEqual(after, {
    ttl: 20,
    loop_wait: 10,
    synchronous_mode: true,
    postgresql: { parameters: { max_connections: 101, 'auto_explain.log_min_duration': true } },
  });
  assert.deepEqual(before.postgresql.parameters, { work_mem: '4MB' }, 'input untouched');
  // Deleting the last key removes the emptied parents.
  assert.deepEqual(applyConfigChanges({ a: { b: 1 }, c: 2 }, ['a.b=']), { c: 2 });
  assert.throws(() => applyConfigChanges(before, ['postgresql.parameters.foo']), /^CtlError: Invalid parameter setting postgresql.parameters.foo$/);
});

test('--apply merges like PATCH and jsonEqual ignores key order', () => {
  const merged = applyYamlText(
    { ttl: 30, postgresql: { use_pg_rewind: true, parameters: { a: 1 } } },
    'ttl: 25\npostgresql:\n  use_pg_rewind: null\n  parameters:\n    b: 2\n',
  );
  assert.deepEqual(merged, { ttl: 25, postgresql: { parameters: { a: 1, b: 2 } } });
  assert.ok(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  assert.ok(!jsonEqual({ a: 1 }, { a: '1' }));
});

test('the unified diff is the one of the spec example', () => {
  const before = blockYaml({ ttl: 30, loop_wait: 10 });
  const after = blockYaml(applyConfigChanges({ ttl: 30, loop_wait: 10 }, ['ttl=20', 'postgresql.parameters.max_connections=101']));
  assert.deepEqual(unifiedDiff(diffLines(before), diffLines(after)), [
    '--- ',
    '+++ ',
    '@@ -1,2 +1,5 @@',
    ' loop_wait: 10',
    '-ttl: 30',
    '+postgresql:',
    '+  parameters:',
    '+    max_connections: 101',
    '+ttl: 20',
  ]);
  assert.deepEqual(unifiedDiff(['a'], ['a']), []);
});

test('hunks split when changes are more than 6 lines apart (difflib n=3)', () => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'];
  const b = ['1', 'X', '3', '4', '5', '6', '7', '8', '9', '10', 'Y', '12'];
  assert.deepEqual(unifiedDiff(a, b), [
    '--- ',
    '+++ ',
    '@@ -1,5 +1,5 @@',
    ' 1',
    '-2',
    '+X',
    ' 3',
    ' 4',
    ' 5',
    '@@ -8,5 +8,5 @@',
    ' 8',
    ' 9',
    ' 10',
    '-11',
    '+Y',
    ' 12',
  ]);
  assert.deepEqual(unifiedDiff(['a'], []), ['--- ', '+++ ', '@@ -1 +0,0 @@', '-a']);
});
