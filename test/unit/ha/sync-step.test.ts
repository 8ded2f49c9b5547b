// The leader's synchronous-replication protocol as pure steps, driven here by a scripted world:
// every request the protocol makes, what it logs, and the memory it keeps between cycles.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import type { Cluster, SyncState } from '../../../src/dcs/cluster.js';
import {
  INITIAL_SYNC_MEMORY,
  SYNC_WAIT_MS,
  syncClaimStart,
  syncStart,
  syncStep,
  type SyncMemory,
  type SyncObservation,
  type SyncRequest,
  type SyncStep,
} from '../../../src/ha/core/sync-step.js';
import { STRICT_PLACEHOLDER, type ReplicaProgress, type SyncReading } from '../../../src/postgresql/sync.js';
import type { JsonObject } from '../../../src/util/json.js';
import { cluster, member } from './fixtures.js';

const row = (name: string, syncState = 'async', lsn = 1000, pid = 10): ReplicaProgress => ({
  pid,
  applicationName: name,
  state: 'streaming',
  syncState,
  writeLsn: lsn,
  flushLsn: lsn,
  replayLsn: lsn,
});
const reading = (standbyNames: string, replicas: ReplicaProgress[], walLsn = 1000): SyncReading => ({
  inRecovery: false,
  standbyNames,
  synchronousCommit: 'on',
  walLsn,
  replicas,
});
const key = (members: string[], leader: string | null = 'node1', quorum = 0): SyncState => ({ version: '5', ...(leader ? { leader } : {}), members, quorum });
const world = (sync: SyncState): Cluster => ({ ...cluster({ leader: 'node1', members: [member('node1'), member('node2'), member('node3')] }), sync });

interface Script {
  /** Successive readings; the last repeats. */
  readings: SyncReading[];
  /** Successive CAS results ('6', '7'... by default). */
  writes?: (string | false)[];
  deleted?: boolean;
}

/** Run a protocol to its end against the script: the requests in order, the logs, the final memory and answer. */
function drive(first: SyncStep, s: Script): { requests: string[]; logs: string[]; memory: SyncMemory; ok: boolean } {
  let now = 1_000_000;
  let reads = 0;
  let writes = 0;
  const requests: string[] = [];
  const logs: string[] = [];
  let step = first;
  for (let guard = 0; guard < 100; guard++) {
    logs.push(...step.logs.map((l) => `${l.level}: ${l.message}`));
    const r: SyncRequest = step.request;
    if (r.kind === 'done') return { requests, logs, memory: step.next.memory, ok: r.ok };
    let o: SyncObservation;
    switch (r.kind) {
      case 'delete_key':
        requests.push(`delete ${r.version}`);
        o = { kind: 'deleted', ok: s.deleted ?? true };
        break;
      case 'write_key': {
        requests.push(`write ${JSON.stringify(r.value)} @${r.version}`);
        const v = s.writes?.[writes] ?? String(6 + writes);
        writes++;
        o = { kind: 'written', version: v };
        break;
      }
      case 'set_names':
        requests.push(`names ${r.value === undefined ? 'user' : JSON.stringify(r.value)}`);
        o = { kind: 'names_set' };
        break;
      case 'read':
        requests.push('read');
        o = { kind: 'read', reading: s.readings[Math.min(reads++, s.readings.length - 1)]!, now };
        break;
      case 'sleep':
        requests.push(`sleep ${r.ms}`);
        now += r.ms;
        o = { kind: 'slept', now };
        break;
    }
    step = syncStep(step.next, o);
  }
  throw new Error(`no end: ${requests.join(', ')}`);
}

const cfg = (dcs: JsonObject) => buildDynamicConfig(dcs);

describe('sync protocol: enabling and disabling', () => {
  test('synchronous_mode off with a key: delete it, hand the names back to the user', () => {
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key(['node2'])), config: cfg({}), me: 'node1' }), { readings: [] });
    assert.deepEqual(r.requests, ['delete 5', 'names user']);
    assert.deepEqual(r.logs, ['info: Disabled synchronous replication']);
  });

  test('synchronous_mode off without a key: only the names', () => {
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key([], null)), config: cfg({}), me: 'node1' }), { readings: [] });
    assert.deepEqual([r.requests, r.logs], [['names user'], []]);
  });

  test('the key names somebody else: take it over, nothing more when the CAS is lost', () => {
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key([], 'node3')), config: cfg({ synchronous_mode: true }), me: 'node1' }), {
      readings: [],
      writes: [false],
    });
    assert.deepEqual(r.requests, ['write {"leader":"node1","members":[],"quorum":0} @5']);
    assert.deepEqual(r.logs, ['info: Synchronous replication key updated by someone else']);
  });
});

describe('sync protocol: multisync', () => {
  test('enable, list the streaming replica, wait until it is synchronous, publish it', () => {
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key([], null)), config: cfg({ synchronous_mode: true }), me: 'node1' }), {
      readings: [reading('', [row('node2')]), reading('node2', [row('node2')]), reading('node2', [row('node2', 'sync')])],
    });
    assert.deepEqual(r.requests, [
      'write {"leader":"node1","members":[],"quorum":0} @5',
      'read',
      'names "node2"',
      'sleep 100',
      'read',
      'sleep 200',
      'read',
      'write {"leader":"node1","members":["node2"],"quorum":0} @6',
    ]);
    assert.deepEqual(r.logs, [
      'info: Enabled synchronous replication',
      "info: Setting synchronous_standby_names to 'node2'",
      'info: Synchronous standby status assigned to ["node2"]',
    ]);
    assert.deepEqual(r.memory, { ready: ['node2:10'], lsnAtChange: 1000, lastNames: 'node2', warnedNoStandbys: false });
  });

  test('a synchronous standby that disconnected: shrink the key first, then change the names', () => {
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key(['node2'])), config: cfg({ synchronous_mode: true }), me: 'node1' }), {
      readings: [reading('node2', [row('node3')]), reading('node3', [row('node3')])],
    });
    assert.deepEqual(r.requests.slice(0, 3), ['read', 'write {"leader":"node1","members":[],"quorum":0} @5', 'names "node3"']);
    assert.equal(r.logs[0], 'info: Updating synchronous privilege temporarily from ["node2"] to []');
  });

  test('the wait ends at its deadline when the replica never reports synchronous', () => {
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key([])), config: cfg({ synchronous_mode: true }), me: 'node1' }), {
      readings: [reading('', [row('node2')]), reading('node2', [row('node2', 'potential')])],
    });
    assert.equal(r.requests.filter((x) => x === 'sleep 200').length, SYNC_WAIT_MS / 200);
    assert.ok(!r.requests.some((x) => x.startsWith('write')), 'nothing published');
  });

  test('strict mode without standbys blocks commits and warns once', () => {
    const config = cfg({ synchronous_mode: true, synchronous_mode_strict: true });
    const first = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key([])), config, me: 'node1' }), { readings: [reading('', [])] });
    assert.deepEqual(first.requests, ['read', `names ${JSON.stringify(STRICT_PLACEHOLDER)}`, 'sleep 100', 'read']);
    assert.deepEqual(first.logs[0], 'warning: No active replication connections from Patroni members and synchronous_mode_strict is requested');
    const again = drive(syncStart(first.memory, { cluster: world(key([])), config, me: 'node1' }), { readings: [reading(STRICT_PLACEHOLDER, [])] });
    assert.deepEqual([again.requests, again.logs], [['read'], []]);
  });

  test('strict mode: the synchronous standby went away; the names in effect stay (Patroni 4.1)', () => {
    const config = cfg({ synchronous_mode: true, synchronous_mode_strict: true });
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key(['node2'])), config, me: 'node1' }), { readings: [reading('node2', [])] });
    assert.deepEqual(r.requests, ['read']);
    assert.deepEqual(r.logs, ['warning: No active replication connections from Patroni members and synchronous_mode_strict is requested']);
  });
});

describe('sync protocol: quorum', () => {
  test('widen the key before the names, narrow it once every listed replica caught up', () => {
    const config = cfg({ synchronous_mode: 'quorum' });
    const r = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key([])), config, me: 'node1' }), {
      readings: [
        reading('', [row('node2'), row('node3', 'async', 1000, 11)]),
        reading('ANY 1 (node2,node3)', [row('node2', 'quorum'), row('node3', 'quorum', 1000, 11)]),
      ],
    });
    assert.deepEqual(r.requests, [
      'read',
      'write {"leader":"node1","members":["node2","node3"],"quorum":2} @5',
      'names "ANY 1 (node2,node3)"',
      'sleep 100',
      'read',
      'sleep 200',
      'read',
      'write {"leader":"node1","members":["node2","node3"],"quorum":1} @6',
    ]);
    assert.equal(r.logs.at(-1), 'info: Synchronous standby status assigned to ["node2","node3"] (quorum 1)');
  });
});

describe('sync protocol: strict quorum on its own', () => {
  test('ANY 1 (placeholder) and the replication factor warning, once', () => {
    const config = cfg({ synchronous_mode: 'quorum', synchronous_mode_strict: true });
    const first = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(key([])), config, me: 'node1' }), { readings: [reading('', [])] });
    assert.deepEqual(first.requests.slice(0, 2), ['read', `names ${JSON.stringify(`ANY 1 (${STRICT_PLACEHOLDER})`)}`]);
    assert.deepEqual(first.logs[0], 'warning: Replication factor 2 requested, but 0 synchronous standbys available. Commits will be delayed.');
    const again = drive(syncStart(first.memory, { cluster: world(key([])), config, me: 'node1' }), {
      readings: [reading(`ANY 1 (${STRICT_PLACEHOLDER})`, [])],
    });
    assert.deepEqual([again.requests, again.logs], [['read'], []]);
  });
});

describe('sync protocol: before promoting', () => {
  const ctx = { cluster: world(key(['node1'], 'node0')), config: cfg({ synchronous_mode: true }), me: 'node1' };
  test('the CAS wins: names follow, the claim succeeds', () => {
    const r = drive(syncClaimStart(INITIAL_SYNC_MEMORY, ctx, { leader: 'node1', members: [], quorum: 0 }, null), { readings: [] });
    assert.deepEqual([r.requests, r.ok], [['write {"leader":"node1","members":[],"quorum":0} @5', 'names null'], true]);
  });
  test('the CAS is lost: no names change, the claim fails', () => {
    const r = drive(syncClaimStart(INITIAL_SYNC_MEMORY, ctx, { leader: 'node1', members: [], quorum: 0 }, null), { readings: [], writes: [false] });
    assert.deepEqual(
      [r.requests, r.ok, r.logs],
      [['write {"leader":"node1","members":[],"quorum":0} @5'], false, ['info: Synchronous replication key updated by someone else']],
    );
  });
});

describe('sync protocol: a lost compare-and-set ends the step at once', () => {
  const rows: { name: string; sync: SyncState; dcs: JsonObject; readings: SyncReading[]; writes: (string | false)[]; requests: number }[] = [
    {
      name: 'shrinking (multisync)',
      sync: key(['node2']),
      dcs: { synchronous_mode: true },
      readings: [reading('node2', [row('node3')])],
      writes: [false],
      requests: 2,
    },
    {
      name: 'publishing (multisync)',
      sync: key([]),
      dcs: { synchronous_mode: true },
      readings: [reading('node2', [row('node2', 'sync')])],
      writes: [false],
      requests: 2,
    },
    { name: 'widening (quorum)', sync: key([]), dcs: { synchronous_mode: 'quorum' }, readings: [reading('', [row('node2')])], writes: [false], requests: 2 },
    {
      name: 'settling (quorum)',
      sync: key(['node2', 'node3'], 'node1', 1),
      dcs: { synchronous_mode: 'quorum' },
      readings: [reading('ANY 1 (node2)', [row('node2', 'quorum')])],
      writes: [false],
      requests: 2,
    },
  ];
  for (const r of rows) {
    test(r.name, () => {
      const out = drive(syncStart(INITIAL_SYNC_MEMORY, { cluster: world(r.sync), config: cfg(r.dcs), me: 'node1' }), {
        readings: r.readings,
        writes: r.writes,
      });
      assert.equal(out.requests.length, r.requests, out.requests.join(', '));
      assert.match(out.requests.at(-1)!, /^write /);
      assert.equal(out.logs.at(-1), 'info: Synchronous replication key updated by someone else');
    });
  }
});
