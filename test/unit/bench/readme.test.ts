// The README's bench tables come from one run's report, spliced between markers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BEGIN, END, readmeBlock, spliceBlock } from '../../../bench/readme.js';

const REPORT = [
  '# patroni-ts benchmark, 2026-11-29T07:00:00.000Z',
  '',
  'Machine: vm, 2 x CPU.',
  '',
  'Versions: many.',
  '',
  'Repetitions: 3 per HA measurement.',
  '',
  '## Profile `fast`: ttl 20, loop_wait 2, retry_timeout 5',
  '',
  '| Measurement | Unit |',
  '|---|---|',
  '| bootstrap | s |',
  '',
].join('\n');

test('the block names the report, keeps the run conditions and demotes its sections one level', () => {
  const block = readmeBlock(REPORT, 'run.md');
  assert.match(block, /^From `bench\/results\/run\.md` \(patroni-ts benchmark, 2026-11-29T07:00:00\.000Z\)\./);
  assert.match(block, /\nMachine: vm, 2 x CPU\.\n/);
  assert.match(block, /\nRepetitions: 3 per HA measurement\.\n/);
  assert.doesNotMatch(block, /Versions/);
  assert.match(block, /\n### Profile `fast`/);
  assert.match(block, /\| bootstrap \| s \|$/);
});

test('a file without sections is refused', () => {
  assert.throws(() => readmeBlock('# title\n\ntext\n', 'x.md'), /not a bench report/);
});

test('splicing replaces only what is between the markers, and again the same way', () => {
  const readme = `intro\n${BEGIN}\nold table\n${END}\noutro\n`;
  const once = spliceBlock(readme, 'new table');
  assert.equal(once, `intro\n${BEGIN}\nnew table\n${END}\noutro\n`);
  assert.equal(spliceBlock(once, 'new table'), once);
});

test('missing or repeated markers are an error, never a silent append', () => {
  assert.throws(() => spliceBlock('no markers', 'x'), /markers/);
  assert.throws(() => spliceBlock(`${BEGIN}\n${BEGIN}\n${END}`, 'x'), /markers/);
});
