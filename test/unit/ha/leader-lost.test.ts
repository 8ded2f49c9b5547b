// ifLeaderLost: every member's chance of leading if the leader key vanished now (patronictl explain).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import { ifLeaderLost } from '../../../src/ha/core/leader-lost.js';
import type { PeerStatus } from '../../../src/ha/core/input.js';
import { cluster, member, peer } from './fixtures.js';

const MB = 1048576;

function outlooks(opts: {
  probes: PeerStatus[];
  optime?: number;
  dcs?: Record<string, unknown>;
  tags?: Record<string, Record<string, unknown>>;
  sync?: string[];
}) {
  const members = ['node1', 'node2', 'node3', 'node4'].map((n) => member(n, opts.tags?.[n] ? { tags: opts.tags[n] as never } : {}));
  const c = { ...cluster({ leader: 'node1', members, optime: opts.optime ?? 10 * MB }), sync: { leader: 'node1', members: opts.sync ?? [], quorum: 0 } };
  c.history = { version: '1', lines: [] };
  const report = ifLeaderLost({ cluster: c, config: buildDynamicConfig((opts.dcs ?? {}) as never), probes: opts.probes });
  return { report, by: new Map(report.members.map((m) => [m.member, m])) };
}

describe('ifLeaderLost', () => {
  it('the most advanced healthy replica would lead; a lagging one and a nofailover one may not', () => {
    const { report, by } = outlooks({
      probes: [
        peer('node1', 10 * MB, { isPrimary: true }),
        peer('node2', 10 * MB),
        peer('node3', 10 * MB - 3 * MB),
        peer('node4', 10 * MB, { nofailover: true }),
      ],
      tags: { node4: { nofailover: true } },
    });
    assert.equal(by.get('node1')?.outlook, 'leader');
    assert.equal(by.get('node2')?.outlook, 'would_lead');
    assert.match(by.get('node2')?.why[0] ?? '', /highest WAL position/);
    assert.equal(by.get('node3')?.outlook, 'ineligible');
    assert.match(by.get('node3')?.why[0] ?? '', /lag 3145728 bytes exceeds maximum_lag_on_failover 1048576/);
    assert.equal(by.get('node4')?.outlook, 'ineligible');
    assert.match(by.get('node4')?.why[0] ?? '', /nofailover/);
    assert.equal(report.possible, true);
  });

  it('a replica behind the best but within the lag limit is eligible and says who is ahead', () => {
    const { by } = outlooks({
      probes: [
        peer('node1', 10 * MB, { isPrimary: true }),
        peer('node2', 10 * MB),
        peer('node3', 10 * MB - 100),
        { name: 'node4', reachable: false, error: 'connection refused' },
      ],
    });
    assert.equal(by.get('node3')?.outlook, 'eligible');
    assert.match(by.get('node3')?.why[0] ?? '', /100 bytes behind node2/);
    assert.equal(by.get('node4')?.outlook, 'ineligible');
    assert.match(by.get('node4')?.why[0] ?? '', /not reachable \(connection refused\)/);
  });

  it('equal WAL positions: the higher failover_priority would lead', () => {
    const { by } = outlooks({
      probes: [peer('node1', 10 * MB, { isPrimary: true }), peer('node2', 10 * MB, { failoverPriority: 1 }), peer('node3', 10 * MB, { failoverPriority: 5 })],
      tags: { node3: { failover_priority: 5 } },
    });
    assert.equal(by.get('node3')?.outlook, 'would_lead');
    assert.equal(by.get('node2')?.outlook, 'eligible');
    assert.match(by.get('node2')?.why[0] ?? '', /lower failover_priority than node3/);
  });

  it('synchronous mode: only the synchronous standby may take over; watchdog failures count', () => {
    const { report, by } = outlooks({
      probes: [peer('node1', 10 * MB, { isPrimary: true }), peer('node2', 10 * MB), peer('node3', 10 * MB, { watchdogFailed: true }), peer('node4', 10 * MB)],
      dcs: { synchronous_mode: true },
      sync: ['node3'],
    });
    assert.equal(by.get('node2')?.outlook, 'ineligible');
    assert.equal(by.get('node2')?.why[0], 'not a synchronous standby');
    assert.equal(by.get('node3')?.outlook, 'ineligible');
    assert.equal(by.get('node3')?.why[0], 'not watchdog capable');
    assert.deepEqual(by.get('node3')?.why.slice(1), ['synchronous standby']);
    assert.equal(report.possible, false);
  });

  it('paused: nobody races for the lock, the otherwise eligible say so', () => {
    const { report, by } = outlooks({
      probes: [peer('node1', 10 * MB, { isPrimary: true }), peer('node2', 10 * MB), peer('node3', 10 * MB - 3 * MB)],
      dcs: { pause: true },
    });
    assert.equal(by.get('node2')?.outlook, 'ineligible');
    assert.equal(by.get('node2')?.why[0], 'cluster is paused: no automatic failover');
    assert.match(by.get('node2')?.why[1] ?? '', /^otherwise eligible: reachable, timeline 1/);
    assert.deepEqual(by.get('node3')?.why, [`lag ${3 * MB} bytes exceeds maximum_lag_on_failover 1048576`, 'cluster is paused: no automatic failover']);
    assert.ok([...by.values()].every((m) => m.outlook !== 'would_lead'));
    assert.equal(report.leader, 'node1');
    assert.equal(report.possible, false);
  });

  it('quorum mode: voters and non-voters are named; too few healthy voters means no failover', () => {
    const probes = [
      peer('node1', 10 * MB, { isPrimary: true }),
      peer('node2', 10 * MB),
      { name: 'node3', reachable: false, error: 'timed out' } as const,
      peer('node4', 10 * MB),
    ];
    const { report, by } = outlooks({ probes, dcs: { synchronous_mode: 'quorum' }, sync: ['node2', 'node3'] });
    assert.deepEqual(by.get('node2')?.why.at(-1), 'quorum voter');
    assert.deepEqual(by.get('node4')?.why.at(-1), 'not a quorum voter');
    assert.equal(by.get('node2')?.inSyncSet, true);
    assert.equal(by.get('node3')?.outlook, 'ineligible');
    assert.equal(report.possible, true);
  });
});
