// `patronictl explain` output from a view (pure): the pretty table in `patronictl list`'s shape, json, yaml.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderExplain } from '../../../src/ctl/commands/explain.js';
import { bigClusterView } from '../../support/api/big-cluster.js';

describe('patronictl explain output', () => {
  const view = bigClusterView();

  it('pretty: one row per member, the verdict, its reasons one per line, the last decision', () => {
    const text = renderExplain(view, 'pretty');
    const lines = text.split('\n');
    assert.match(lines[0] ?? '', /^\+ Cluster: big \(7277694203142172922\) -+\+/);
    assert.match(
      lines[1] ?? '',
      /^\| Member \| Host +\| Role +\| State +\| TL \| Lag in MB \| Leads if leader lost \| Why +\| Last decision +\| Decided at +\|$/,
    );
    assert.match(
      text,
      /\| pg01 +\| 10\.0\.0\.1:5432 +\| Leader +\| running +\| +3 \| +\| leader +\| the leader \(assumed lost\) +\| no action\. I am \(pg01\) +\| 2026-11-28 23:00:00 UTC \|/,
    );
    assert.match(text, /\| pg02 .*\| yes, would lead +\| highest WAL position 52427800 +\|/);
    assert.match(text, /\| pg05 .*\| no +\| tagged nofailover/);
    assert.match(text, /\| pg13 .*\| n\/a \(no GET \/explain\) +\| +\|/);
    assert.match(text, /\| pg15 .*\| no +\| not reachable \(connect ECONNREFUSED\) +\| unreachable +\|/);
    // Continuation lines of a multi-line reason keep the table's columns.
    assert.ok(lines.some((l) => /^\| +\| +\| +\| +\| +\| +\| +\| reachable, timeline 3, lag \d+ bytes within maximum_lag_on_failover 1048576 +\|/.test(l)));
    assert.match(text, /\n Failover possible now: yes \(maximum_lag_on_failover 1048576 bytes\)\n$/);
  });

  it('json and yaml carry the whole view', () => {
    const parsed = JSON.parse(renderExplain(view, 'json')) as typeof view;
    assert.deepEqual(parsed, view);
    const yaml = renderExplain(view, 'yaml');
    assert.match(yaml, /^leader: pg01$/m);
    assert.match(yaml, /^  name: pg02$/m);
  });
});
