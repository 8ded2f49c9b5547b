import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mergeSameEvents,
  collectLog,
  collectPgLog,
  collectTrace,
  formatTimeline,
  parseLogLine,
  parsePgLogLine,
  parseTraceLine,
  requestReceivedAt,
} from '../../../bench/timeline.js';

test('timeline: daemon, PostgreSQL and patronictl trace lines parse to epoch ms', () => {
  const d = parseLogLine('2026-11-28 23:09:20,509 INFO: received switchover request');
  assert.equal(d?.at, new Date(2026, 10, 28, 23, 9, 20, 509).getTime());
  assert.equal(d?.text, 'INFO: received switchover request');
  assert.equal(
    parsePgLogLine('2026-11-28 23:09:27.092 UTC [14347] LOG:  checkpoint starting: immediate force wait')?.at,
    Date.UTC(2026, 10, 28, 23, 9, 27, 92),
  );
  assert.equal(parsePgLogLine('2026-11-28 23:09:27.092 UTC [14347] STATEMENT:  x'), null);
  assert.deepEqual(parseTraceLine('trace 1795907512685.9 +81.6ms modules loaded'), { at: 1795907512685.9, text: 'modules loaded' });
  assert.equal(parseTraceLine('Current cluster topology'), null);
});

test('timeline: only steps inside the window, sorted, with the time since the previous step', () => {
  const t0 = new Date(2026, 10, 28, 23, 9, 20, 0).getTime();
  const events = [
    ...collectLog(
      'n1',
      [
        '2026-11-28 23:09:20,100 INFO: no action. I am (n1), the leader with the lock',
        '2026-11-28 23:09:20,300 INFO: Demoting self (graceful)',
        '2026-11-28 23:09:10,000 INFO: Demoting self (graceful)',
      ],
      t0,
      t0 + 5000,
    ),
    ...collectPgLog('n1', [`2026-11-28 ${new Date(t0 + 350).toISOString().slice(11, 23)} UTC [1] LOG:  database system is shut down`], t0, t0 + 5000),
    ...collectTrace('ctl', `trace ${t0 + 50} +50ms modules loaded\nsomething else`),
  ];
  assert.deepEqual(events.map((e) => e.what).sort(), ['INFO: Demoting self (graceful)', 'modules loaded', 'postgres: database system is shut down']);
  const text = formatTimeline('T', t0, events);
  const rows = text.split('\n').filter((l) => /^\s+\d/.test(l));
  assert.equal(rows.length, 3);
  assert.match(rows[0] ?? '', /0\.050 s\s+\(\+\s+50 ms\)\s+ctl\s+modules loaded/);
  assert.match(rows[1] ?? '', /0\.300 s\s+\(\+\s+250 ms\)\s+n1\s+INFO: Demoting self/);
  assert.match(rows[2] ?? '', /0\.350 s\s+\(\+\s+50 ms\)/);
});

test('timeline: a line copied into a replica by basebackup is one event', () => {
  const merged = mergeSameEvents([
    { at: 1, who: 'n1', what: 'x' },
    { at: 1, who: 'n2', what: 'x' },
    { at: 2, who: 'n2', what: 'x' },
  ]);
  assert.deepEqual(merged, [
    { at: 1, who: 'n1,n2', what: 'x' },
    { at: 2, who: 'n2', what: 'x' },
  ]);
});

test("switchover from the command: ours runs our bundled patronictl, Debian's its own, both with --force", async () => {
  const { switchoverCommand } = await import('../../../bench/switchover.js');
  const ours = switchoverCommand('ts', '/c.yml', 'n1', 'n2');
  assert.match(ours[1] ?? '', /dist\/patronictl\.mjs$/);
  assert.deepEqual(ours.slice(2), ['-c', '/c.yml', 'switchover', '--leader', 'n1', '--candidate', 'n2', '--force']);
  assert.deepEqual(switchoverCommand('debian', '/c.yml', 'n1', 'n2'), [
    '/usr/bin/patronictl',
    '-c',
    '/c.yml',
    'switchover',
    '--leader',
    'n1',
    '--candidate',
    'n2',
    '--force',
  ]);
});

test('timeline: the switchover POST arrives at the first "received switchover request" line since the command', () => {
  const at = (ms: number) => new Date(2026, 10, 28, 23, 9, 20, ms).getTime();
  const lines = [
    '2026-11-28 23:09:20,100 INFO: received switchover request with leader=a candidate=b scheduled_at=None',
    '2026-11-28 23:09:20,400 INFO: no action. I am (a), the leader with the lock',
    'start /usr/bin/patroni (pid 1)',
    '2026-11-28 23:09:20,512 INFO: received switchover request with leader=a candidate=b scheduled_at=None',
    '2026-11-28 23:09:20,700 INFO: received switchover request with leader=b candidate=a scheduled_at=None',
  ];
  assert.equal(requestReceivedAt(lines, 'switchover', at(200)), at(512)); // an earlier switchover's line is not this one
  assert.equal(requestReceivedAt(lines, 'switchover', at(800)), undefined);
  assert.equal(requestReceivedAt(lines, 'failover', at(0)), undefined);
});
