import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterAsJson } from '../../../src/api/cluster-json.js';
import { membersTable } from '../../../src/ctl/members-table.js';
import { batman, dynamicConfig, member } from '../../support/api/fixtures.js';

const SYSID = '7277694203142172922';
const lines = (...l: string[]) => l.join('\n') + '\n';

const scheduled = batman({
  failover: {
    version: '1',
    leader: 'postgresql0',
    candidate: 'postgresql1',
    scheduledAt: new Date('2023-09-13T21:00:00Z'),
    scheduledAtRaw: '2023-09-13T18:00:00-03:00',
  },
});

test('pretty member table with footer (ctl.output_members sample)', () => {
  const cluster = clusterAsJson(scheduled, dynamicConfig({ pause: true }), 'batman');
  assert.equal(
    membersTable({ name: 'batman', initialize: SYSID, cluster }),
    lines(
      '+ Cluster: batman (7277694203142172922) -+-----------+----+-------------+-----+------------+-----+',
      '| Member      | Host           | Role    | State     | TL | Receive LSN | Lag | Replay LSN | Lag |',
      '+-------------+----------------+---------+-----------+----+-------------+-----+------------+-----+',
      '| postgresql0 | 127.0.0.1:5432 | Leader  | running   |  5 |             |     |            |     |',
      '| postgresql1 | 127.0.0.1:5433 | Replica | streaming |  5 |   0/40000E8 |   3 |  0/40000E8 |   3 |',
      '| postgresql2 | 127.0.0.1:5434 | Replica | stopped   |    |     unknown |     |    unknown |     |',
      '+-------------+----------------+---------+-----------+----+-------------+-----+------------+-----+',
      ' Maintenance mode: on',
      ' Switchover scheduled at: 2023-09-13T18:00:00-03:00',
      '                    from: postgresql0',
      '                      to: postgresql1',
    ),
  );
});

test('tsv and json samples', () => {
  const cluster = clusterAsJson(batman(), dynamicConfig(), 'batman');
  assert.equal(
    membersTable({ name: 'batman', initialize: SYSID, cluster, fmt: 'tsv' }),
    lines(
      'Cluster\tMember\tHost\tRole\tState\tTL\tReceive LSN\tReceive Lag\tReplay LSN\tReplay Lag',
      'batman\tpostgresql0\t127.0.0.1:5432\tLeader\trunning\t5\t\t\t\t',
      'batman\tpostgresql1\t127.0.0.1:5433\tReplica\tstreaming\t5\t0/40000E8\t3\t0/40000E8\t3',
      'batman\tpostgresql2\t127.0.0.1:5434\tReplica\tstopped\t\tunknown\t\tunknown\t',
    ),
  );
  assert.equal(
    membersTable({ name: 'batman', initialize: SYSID, cluster, fmt: 'json' }),
    '[{"Cluster": "batman", "Member": "postgresql0", "Host": "127.0.0.1:5432", "Role": "Leader", "State": "running", "TL": 5}, ' +
      '{"Cluster": "batman", "Member": "postgresql1", "Host": "127.0.0.1:5433", "Role": "Replica", "State": "streaming", "TL": 5, ' +
      '"Receive LSN": "0/40000E8", "Receive Lag": 3, "Replay LSN": "0/40000E8", "Replay Lag": 3}, ' +
      '{"Cluster": "batman", "Member": "postgresql2", "Host": "127.0.0.1:5434", "Role": "Replica", "State": "stopped", ' +
      '"Receive LSN": "unknown", "Replay LSN": "unknown"}]\n',
  );
  const yaml = membersTable({ name: 'batman', initialize: SYSID, cluster, fmt: 'yaml' });
  assert.ok(yaml.startsWith('- Cluster: batman\n  Host: 127.0.0.1:5432\n  Member: postgresql0\n  Role: Leader\n  State: running\n  TL: 5\n- '));
  assert.ok(yaml.endsWith('  State: stopped\n\n'));
});

test('multi-line cells and extended columns (sync standby, pending restart, tags)', () => {
  const c = batman({ sync: { leader: 'postgresql0', members: ['postgresql1'], quorum: 0 } });
  c.members = c.members.slice(0, 2);
  const m1 = c.members[1];
  assert.ok(m1);
  c.members[1] = member('postgresql1', {
    ...m1.data,
    pending_restart: true,
    pending_restart_reason: { max_connections: { old_value: '100', new_value: '200' } },
    scheduled_restart: { schedule: '2025-03-23T18:00:00-03:00', postgres_version: '16.5' },
    tags: { nofailover: true, clonefrom: true },
  });
  const cluster = clusterAsJson(c, dynamicConfig({ synchronous_mode: 'on' }), 'batman');
  assert.equal(
    membersTable({ name: 'batman', initialize: SYSID, cluster }),
    lines(
      '+ Cluster: batman (7277694203142172922) ------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+',
      '| Member      | Host           | Role         | State     | TL | Receive LSN | Lag | Replay LSN | Lag | Pending restart | Pending restart reason    | Scheduled restart                           | Tags             |',
      '+-------------+----------------+--------------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+',
      '| postgresql0 | 127.0.0.1:5432 | Leader       | running   |  5 |             |     |            |     |                 |                           |                                             |                  |',
      '+-------------+----------------+--------------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+',
      '| postgresql1 | 127.0.0.1:5433 | Sync Standby | streaming |  5 |   0/40000E8 |   3 |  0/40000E8 |   3 | *               | max_connections: 100->200 | 2025-03-23T18:00:00-03:00 if version < 16.5 | clonefrom: true  |',
      '|             |                |              |           |    |             |     |            |     |                 |                           |                                             | nofailover: true |',
      '+-------------+----------------+--------------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+',
    ),
  );
  const tsv = membersTable({ name: 'batman', initialize: SYSID, cluster, fmt: 'tsv' });
  assert.match(tsv, /\t\{clonefrom: true, nofailover: true\}\n$/);
});

test('uninitialized empty cluster and topology tree', () => {
  const empty = clusterAsJson(batman({ initialize: null, leader: null, members: [] }), dynamicConfig(), 'batman');
  assert.equal(
    membersTable({ name: 'batman', initialize: null, cluster: empty }),
    lines(
      '+ Cluster: batman (uninitialized) --+-------------+-----+------------+-----+',
      '| Member | Host | Role | State | TL | Receive LSN | Lag | Replay LSN | Lag |',
      '+--------+------+------+-------+----+-------------+-----+------------+-----+',
      '+--------+------+------+-------+----+-------------+-----+------------+-----+',
    ),
  );
  assert.equal(membersTable({ name: 'batman', initialize: null, cluster: empty, fmt: 'json' }), '[]\n');

  const two = batman();
  two.members = two.members.slice(0, 2);
  const topo = membersTable({ name: 'batman', initialize: SYSID, cluster: clusterAsJson(two, dynamicConfig(), 'batman'), fmt: 'topology' });
  assert.equal(
    topo,
    lines(
      '+ Cluster: batman (7277694203142172922) ---+-----------+----+-------------+-----+------------+-----+',
      '| Member        | Host           | Role    | State     | TL | Receive LSN | Lag | Replay LSN | Lag |',
      '+---------------+----------------+---------+-----------+----+-------------+-----+------------+-----+',
      '| postgresql0   | 127.0.0.1:5432 | Leader  | running   |  5 |             |     |            |     |',
      '| + postgresql1 | 127.0.0.1:5433 | Replica | streaming |  5 |   0/40000E8 |   3 |  0/40000E8 |   3 |',
      '+---------------+----------------+---------+-----------+----+-------------+-----+------------+-----+',
    ),
  );
});

test('cascading topology, host column rules and legacy xlog_location fallback', () => {
  const c = batman();
  c.members.push(
    member('postgresql3', {
      conn_url: 'postgres://10.0.0.4:5432/postgres',
      state: 'running',
      tags: { replicatefrom: 'postgresql1' },
      replication_state: 'streaming',
      xlog_location: 0x40000e8,
    }),
  );
  const topo = membersTable({ name: 'batman', initialize: '1', cluster: clusterAsJson(c, dynamicConfig(), 'batman'), fmt: 'topology' });
  const names = topo
    .split('\n')
    .slice(3, 7)
    .map((l) => l.split('|')[1]?.trim());
  assert.deepEqual(names, ['postgresql0', '+ postgresql1', '+ postgresql3', '+ postgresql2']);
  assert.match(topo, /\|   \+ postgresql3 \|/);
  // Legacy member (only xlog_location, streaming) shows its LSN under Receive.
  assert.match(topo, /postgresql3 \| 10\.0\.0\.4:5432  \| Replica \| streaming \|    \|   0\/40000E8 \|   3 \|    unknown \|     \|/);

  const distinct = batman();
  distinct.members = [
    member('a', { conn_url: 'postgres://10.0.0.1:5432/postgres', state: 'running' }),
    member('b', { conn_url: 'postgres://10.0.0.2:5432/postgres', state: 'running' }),
  ];
  const t = membersTable({ name: 'x', initialize: '1', cluster: clusterAsJson(distinct, dynamicConfig(), 'x'), fmt: 'tsv' });
  assert.match(t, /\ta\t10\.0\.0\.1\t/);
});

test("lag in MB uses banker's rounding", () => {
  const c = batman();
  c.members = c.members.slice(0, 2);
  const m1 = c.members[1];
  assert.ok(m1);
  c.status = { ...c.status, optime: (m1.data.receive_lsn ?? 0) + 2.5 * 1048576 };
  const t = membersTable({ name: 'b', initialize: '1', cluster: clusterAsJson(c, dynamicConfig(), 'b'), fmt: 'tsv' });
  assert.match(t, /\t0\/40000E8\t2\t0\/40000E8\t2\n$/);
});
