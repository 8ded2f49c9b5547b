// Pure helpers of the write commands: scheduled timestamps, failover candidates, pg version check,
// configure's document and click-style prompts over a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { EMPTY_CLUSTER, type Cluster } from '../../../src/dcs/cluster.js';
import { configureDocument } from '../../../src/ctl/commands/configure.js';
import { checkPgVersion } from '../../../src/ctl/commands/restart.js';
import { failoverCandidates, isNofailover } from '../../../src/ctl/commands/switchover.js';
import { Aborted, createPrompter } from '../../../src/ctl/prompt.js';
import { eventTimestamp, parseScheduled } from '../../../src/ctl/timestamps.js';

test('parseScheduled keeps the given offset and treats naive times as local', () => {
  assert.equal(parseScheduled('now'), null);
  assert.equal(parseScheduled(''), null);
  assert.equal(parseScheduled(undefined), null);
  const s = parseScheduled('2023-09-13T18:00:00-03:00');
  assert.equal(s?.iso, '2023-09-13T18:00:00-03:00');
  assert.equal(s?.str, '2023-09-13 18:00:00-03:00');
  assert.equal(s?.at.toISOString(), '2023-09-13T21:00:00.000Z');
  assert.equal(parseScheduled('2023-09-13 18:00Z')?.iso, '2023-09-13T18:00:00+00:00');
  const local = parseScheduled('2030-01-02T03:04');
  assert.equal(local?.at.getHours(), 3);
  assert.match(local?.iso ?? '', /^2030-01-02T03:04:00[+-]\d\d:\d\d$/);
  assert.throws(
    () => parseScheduled('tomorrow'),
    /^CtlError: Unable to parse scheduled timestamp \(tomorrow\)\. It should be in an unambiguous format \(e\.g\. ISO 8601\)$/,
  );
  assert.throws(() => parseScheduled('2023-13-01'), /Unable to parse/);
});

test('event timestamps cut microseconds to five digits', () => {
  const micros = new Date(2023, 8, 13, 14, 15, 23).getTime() * 1000 + 74970;
  assert.equal(eventTimestamp(micros), '2023-09-13 14:15:23.07497');
});

test('failover candidates skip the leader and nofailover members, sorted', () => {
  const member = (name: string, tags = {}) => ({ name, version: '1', data: { tags } });
  const cluster: Cluster = {
    ...EMPTY_CLUSTER,
    leader: { name: 'b', version: '1' },
    members: [
      member('d'),
      member('b'),
      member('c', { nofailover: true }),
      member('a'),
      member('e', { failover_priority: 0 }),
      member('f', { failover_priority: 0, nofailover: false }),
    ],
  };
  assert.deepEqual(failoverCandidates(cluster), ['a', 'd', 'f']);
  assert.equal(isNofailover({ nofailover: 'on' }), true);
  assert.equal(isNofailover(undefined), false);
});

test('--pg-version validation texts', () => {
  checkPgVersion('9.5.2');
  checkPgVersion('16.4');
  assert.throws(() => checkPgVersion('9.6'), /^CtlError: Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 9.6$/);
  assert.throws(() => checkPgVersion('a.b'), /^CtlError: Invalid PostgreSQL version: a.b$/);
});

test('configure writes the DCS section and namespace', () => {
  assert.deepEqual(configureDocument('etcd3://10.0.0.1:2399', '/service/'), { etcd3: { host: '10.0.0.1:2399' }, namespace: '/service/' });
  assert.deepEqual(configureDocument('etcd3://h/ns', '/service/'), { etcd3: { host: 'h:2379' }, namespace: '/ns' });
});

test('prompts: defaults, confirmations, re-asking and EOF abort', async () => {
  const input = new PassThrough();
  let shown = '';
  const p = createPrompter(Object.assign(input, { isTTY: false }) as unknown as NodeJS.ReadStream, (t) => {
    shown += t;
  });
  input.write('\nmaybe\ny\n\nname\n');
  input.end();
  assert.equal(await p.prompt("Candidate ['a']", { default: '' }), '');
  assert.equal(await p.confirm('Sure?'), true);
  assert.equal(await p.prompt('Name'), 'name');
  await assert.rejects(p.confirm('Again?'), Aborted);
  assert.equal(shown, "Candidate ['a'] []: Sure? [y/N]: Error: invalid input\nSure? [y/N]: Name: Name: Again? [y/N]: ");
  p.close();
});
