import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyRows, HISTORY_COLUMNS } from '../../../src/ctl/commands/history.js';
import { formatServerVersion, versionLine } from '../../../src/ctl/commands/version.js';
import { blockYaml, flowYaml } from '../../../src/ctl/py-yaml.js';
import { prettyTable, renderTable } from '../../../src/ctl/table.js';

const history = historyRows([
  [1, 24392648, 'no recovery target specified', '2023-09-11T22:11:27.125527+00:00', 'postgresql0'],
  [2, 50331808, 'no recovery target specified'],
]);
const align = { TL: 'r', LSN: 'r' } as const;

test('history table sample (ctl.history)', () => {
  const one = renderTable(HISTORY_COLUMNS, history.slice(0, 1), { fmt: 'pretty', align });
  assert.equal(
    one,
    [
      '+----+----------+------------------------------+----------------------------------+-------------+',
      '| TL |      LSN | Reason                       | Timestamp                        | New Leader  |',
      '+----+----------+------------------------------+----------------------------------+-------------+',
      '|  1 | 24392648 | no recovery target specified | 2023-09-11T22:11:27.125527+00:00 | postgresql0 |',
      '+----+----------+------------------------------+----------------------------------+-------------+',
      '',
    ].join('\n'),
  );
});

test('history in json, yaml and tsv keeps empty cells', () => {
  assert.equal(
    renderTable(HISTORY_COLUMNS, history.slice(1), { fmt: 'json' }),
    '[{"TL": 2, "LSN": 50331808, "Reason": "no recovery target specified", "Timestamp": "", "New Leader": ""}]\n',
  );
  assert.equal(
    renderTable(HISTORY_COLUMNS, history.slice(0, 1), { fmt: 'yaml' }),
    "- LSN: 24392648\n  New Leader: postgresql0\n  Reason: no recovery target specified\n  TL: 1\n  Timestamp: '2023-09-11T22:11:27.125527+00:00'\n\n",
  );
  assert.equal(
    renderTable(HISTORY_COLUMNS, history.slice(1), { fmt: 'tsv' }),
    'TL\tLSN\tReason\tTimestamp\tNew Leader\n2\t50331808\tno recovery target specified\t\t\n',
  );
});

test('multi-line cells add a rule between rows; empty table prints header and borders', () => {
  assert.equal(
    prettyTable(
      ['A', 'B'],
      [
        ['x\ny', '1'],
        ['z', '22'],
      ],
      { B: 'r' },
    ),
    ['+---+----+', '| A |  B |', '+---+----+', '| x |  1 |', '| y |    |', '+---+----+', '| z | 22 |', '+---+----+', ''].join('\n'),
  );
  assert.equal(prettyTable(['A'], [], {}), '+---+\n| A |\n+---+\n+---+\n');
  assert.equal(prettyTable(['Member'], [], {}, ' Cluster: a-very-long-title (x) '), '+ Cluster+\n| Member |\n+--------+\n+--------+\n');
});

test('PyYAML-compatible dumps', () => {
  assert.equal(
    blockYaml({ ttl: 30, loop_wait: 10, postgresql: { parameters: { max_connections: 100 }, pg_hba: ['host all all 0.0.0.0/0 md5'] }, y: '', n: 'on' }),
    "loop_wait: 10\nn: 'on'\npostgresql:\n  parameters:\n    max_connections: 100\n  pg_hba:\n  - host all all 0.0.0.0/0 md5\nttl: 30\ny: ''\n",
  );
  assert.equal(flowYaml({ nofailover: true, clonefrom: true, zone: '*' }), "{clonefrom: true, nofailover: true, zone: '*'}");
});

test('version lines', () => {
  assert.equal(formatServerVersion(160004), '16.4');
  assert.equal(formatServerVersion(90624), '9.6.24');
  assert.equal(
    versionLine('pg1', '{"state": "running", "server_version": 150002, "patroni": {"version": "4.1.4", "scope": "b"}}'),
    'pg1: Patroni 4.1.4 PostgreSQL 15.2',
  );
  assert.equal(versionLine('pg1', '{"state": "stopped", "patroni": {"version": "4.1.4"}}'), 'pg1: Patroni 4.1.4');
});
