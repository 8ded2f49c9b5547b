import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportJson, reportMarkdown, type RunInfo } from '../../../bench/report.js';
import { ResultStore } from '../../../bench/results.js';
import { checkGoal, ratio, summarize } from '../../../bench/stats.js';
import { longestGap } from '../../../bench/writer.js';
import { parseOptions } from '../../../bench/options.js';
import { isObject } from '../../../src/util/json.js';

test('summaries: min, median (even and odd counts), max; ratio of medians', () => {
  assert.deepEqual(summarize([3, 1, 2]), { n: 3, min: 1, median: 2, max: 3 });
  assert.deepEqual(summarize([4, 1, 2, 3]), { n: 4, min: 1, median: 2.5, max: 4 });
  assert.equal(summarize([]), undefined);
  assert.equal(ratio(summarize([1]), summarize([4])), 0.25);
  assert.equal(ratio(summarize([1]), undefined), undefined);
});

test('goals: ratio bounds and an absolute bound on our median', () => {
  assert.equal(checkGoal({ kind: 'ratio-at-most', value: 1 / 3, text: '' }, undefined, 0.3), 'met');
  assert.equal(checkGoal({ kind: 'ratio-at-most', value: 1 / 3, text: '' }, undefined, 0.5), 'missed');
  assert.equal(checkGoal({ kind: 'ratio-at-least', value: 10, text: '' }, undefined, 9), 'missed');
  assert.equal(checkGoal({ kind: 'ours-below', value: 5, text: '' }, summarize([4.9]), undefined), 'met');
  assert.equal(checkGoal({ kind: 'ratio-at-least', value: 10, text: '' }, undefined, undefined), 'unknown');
});

test('write gap: the longest interval without a success inside the window', () => {
  // Successes every 10 ms, then nothing from 120 to 870, then again.
  const ok = [100, 110, 120, 870, 880];
  assert.equal(longestGap(ok, 115, 880), 750);
  assert.equal(longestGap(ok, 875, 880), 5);
});

test('report: JSON keeps samples and errors; Markdown has a row per metric with the ratio', () => {
  const store = new ResultStore();
  for (const v of [10, 12, 11]) store.add('fast', 'ts', 'switchover_writable', { kind: 'value', value: v });
  for (const v of [40, 44]) store.add('fast', 'debian', 'switchover_writable', { kind: 'value', value: v });
  store.add('fast', 'ts', 'bootstrap', { kind: 'error', error: 'timed out | badly' });
  const options = parseOptions(['--quick']);
  const info: RunInfo = {
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:05:00.000Z',
    options,
    env: { machine: { hostname: 'h', cpu: 'cpu', cpus: 2, memoryGiB: 4, kernel: '6' }, versions: { node: 'v20' } },
  };
  const md = reportMarkdown(store, info);
  const line = md.split('\n').find((l) => l.includes('new primary accepts a write'));
  assert.ok(line);
  assert.match(line, /10\.00 \/ \*\*11\.00\*\* \/ 12\.00/);
  assert.match(line, /\| 0\.26 \|/);
  assert.match(line, /<= 0\.9 s: \*\*missed\*\*/);
  assert.match(md, /failed: timed out \/ badly/);
  const json = reportJson(store, info);
  const profiles = json.profiles;
  assert.ok(Array.isArray(profiles) && isObject(profiles[0]));
  const metrics = profiles[0].metrics;
  assert.ok(Array.isArray(metrics));
  const sw = metrics.find((m) => isObject(m) && m.id === 'switchover_writable');
  assert.ok(isObject(sw));
  assert.equal(sw.ratio_ours_theirs, 0.262);
  assert.ok(isObject(sw.ours));
  assert.deepEqual(sw.ours.samples, [10, 12, 11]);
});
