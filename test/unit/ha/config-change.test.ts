// What the shell does with a new /config key and with the `history` key is the core's answer:
// dynamicConfigChange (Ha.reload_config) and historyUpdate (Ha.update_cluster_history).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dynamicConfigChange } from '../../../src/ha/core/config-change.js';
import { historyUpdate } from '../../../src/ha/core/history.js';

const key = (data: Record<string, unknown>, modifyVersion = 7) => ({ version: '7', modifyVersion, data: JSON.parse(JSON.stringify(data)) });

describe('dynamicConfigChange', () => {
  const current = { ttl: 30, postgresql: { parameters: { work_mem: '4MB' } } };
  const rows: [string, ReturnType<typeof key> | null, ReturnType<typeof dynamicConfigChange>][] = [
    ['no /config key', null, null],
    ['an unusable key (modifyVersion 0) is ignored', key({ ttl: 20 }, 0), null],
    ['an empty key is ignored', key({}), null],
    ['the same configuration', key(current), null],
    ['ttl changed: applied without on_reload', key({ ...current, ttl: 20 }), { data: { ...current, ttl: 20 }, postgresqlChanged: false }],
    [
      'PostgreSQL settings changed: on_reload',
      key({ ttl: 30, postgresql: { parameters: { work_mem: '8MB' } } }),
      { data: { ttl: 30, postgresql: { parameters: { work_mem: '8MB' } } }, postgresqlChanged: true },
    ],
  ];
  for (const [name, k, want] of rows) test(name, () => assert.deepEqual(dynamicConfigChange(current, k), want));
});

describe('historyUpdate', () => {
  const line = (tl: number): [number, number, string, string, string] => [tl, 100 * tl, 'no recovery target specified', '2026-11-29T00:00:00+00:00', 'n1'];
  test('timeline 1 with an empty key: nothing to write', () => assert.equal(historyUpdate({ version: '1', lines: [] }, 1), 'none'));
  test('timeline 1 with old lines (a new cluster on an old scope): cleared', () => assert.equal(historyUpdate({ version: '1', lines: [line(1)] }, 1), 'clear'));
  test('timeline 3, the key ends at 2: nothing to write', () => assert.equal(historyUpdate({ version: '1', lines: [line(1), line(2)] }, 3), 'none'));
  test('timeline 3, the key ends at 1: read from 00000003.history', () => assert.equal(historyUpdate({ version: '1', lines: [line(1)] }, 3), 'from_file'));
  test('no key on timeline 2: read from the file', () => assert.equal(historyUpdate(null, 2), 'from_file'));
});
