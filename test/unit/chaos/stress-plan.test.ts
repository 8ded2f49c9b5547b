import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '../../../chaos/options.js';
import { makeRng } from '../../../chaos/rng.js';
import { falseFailovers, leaderChanges, parseDuration, stressSchedule } from '../../../chaos/stress-plan.js';

describe('--stress schedule', () => {
  test('fills the duration exactly, every stress kind in each round, calm between phases', () => {
    const plan = stressSchedule(1800, makeRng(7));
    assert.equal(
      plan.reduce((n, p) => n + p.seconds, 0),
      1800,
    );
    const firstRound = plan
      .filter((p) => p.kind !== 'calm')
      .slice(0, 4)
      .map((p) => p.kind)
      .sort();
    assert.deepEqual(firstRound, ['combined', 'cpu', 'disk-stall', 'etcd-latency']);
    for (let i = 1; i < plan.length; i++) assert.ok(plan[i]?.kind === 'calm' || plan[i - 1]?.kind === 'calm', 'a calm phase between two stresses');
  });
  test('same seed, same schedule; a 2-minute run still stresses', () => {
    assert.deepEqual(stressSchedule(120, makeRng(3)), stressSchedule(120, makeRng(3)));
    assert.ok(stressSchedule(120, makeRng(3)).filter((p) => p.kind !== 'calm').length >= 3);
  });
});

describe('false failovers from leader-key samples', () => {
  test('a steady holder: none', () => {
    assert.deepEqual(
      falseFailovers([
        { at: 0, leader: 'node1' },
        { at: 200, leader: 'node1' },
      ]),
      [],
    );
  });
  test('a change of holder and a vanished key are each reported', () => {
    const samples = [
      { at: 0, leader: 'node1' },
      { at: 1000, leader: null },
      { at: 2000, leader: 'node2' },
    ];
    assert.deepEqual(leaderChanges(samples), [
      { at: 1000, from: 'node1', to: null },
      { at: 2000, from: null, to: 'node2' },
    ]);
    assert.deepEqual(falseFailovers(samples), ['the leader key of node1 disappeared at +1 s', 'the leader key went from nobody to node2 at +2 s']);
  });
  test('no sample at all is a failure, not a pass', () => {
    assert.deepEqual(falseFailovers([]), ['the leader key was never read']);
  });
});

describe('--duration and the --stress options', () => {
  test('units', () => {
    assert.equal(parseDuration('30m'), 1800);
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('1h'), 3600);
    assert.equal(parseDuration('2'), 120);
    assert.throws(() => parseDuration('soon'), /--duration/);
    assert.throws(() => parseDuration('5s'), /at least 10 s/);
  });
  test('defaults: 30 minutes, 5 crashes', () => {
    const o = parseOptions(['--stress'], 1);
    assert.equal(o.stress, true);
    assert.equal(o.durationS, 1800);
    assert.equal(o.crashes, 5);
    assert.equal(parseOptions(['--stress', '--duration', '3m', '--crashes', '2'], 1).durationS, 180);
  });
});
