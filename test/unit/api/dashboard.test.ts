// The dashboard's pure parts: the view built from the DCS view plus members' answers (15 members, a
// cascade, an unreachable member, a Patroni member without GET /explain) and the self-contained page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DASHBOARD_HTML } from '../../../src/api/dashboard/page.js';
import { dashboardState } from '../../../src/api/dashboard/state.js';
import { fakeContext, fakeState } from '../../support/api/fake-context.js';
import { batman, member as apiMember } from '../../support/api/fixtures.js';
import { bigClusterView } from '../../support/api/big-cluster.js';

describe('dashboard view', () => {
  const view = bigClusterView();
  const by = new Map(view.members.map((m) => [m.name, m]));

  it('has every member with its role, lag and outlook', () => {
    assert.equal(view.members.length, 15);
    assert.equal(view.leader, 'pg01');
    assert.equal(by.get('pg01')?.role, 'leader');
    assert.equal(by.get('pg01')?.lagBytes, null);
    assert.equal(by.get('pg03')?.lagBytes, 2000);
    assert.equal(by.get('pg02')?.outlook, 'would_lead');
    assert.equal(by.get('pg03')?.outlook, 'eligible');
    assert.match(by.get('pg03')?.why[0] ?? '', /^healthy, but 1000 bytes behind pg02$/);
    assert.equal(by.get('pg05')?.outlook, 'ineligible');
    assert.equal(by.get('pg05')?.pendingRestart, true);
    assert.equal(by.get('pg15')?.reachable, false);
    assert.match(by.get('pg15')?.why[0] ?? '', /not reachable \(connect ECONNREFUSED\)/);
    assert.equal(by.get('pg14')?.upstream, 'pg02');
    assert.equal(by.get('pg13')?.lastDecision, null);
    assert.deepEqual(by.get('pg02')?.lastDecision, { at: '2026-11-28T23:00:00.000Z', message: 'no action. I am (pg02)' });
    assert.equal(view.history.length, 2);
    assert.equal(view.failoverPossible, true);
  });

  it('the page is self-contained: no script, style or font from elsewhere', () => {
    assert.doesNotMatch(DASHBOARD_HTML, /<(script|link|img)[^>]+(src|href)=/i);
    assert.doesNotMatch(DASHBOARD_HTML, /https?:\/\//);
    assert.doesNotMatch(DASHBOARD_HTML, /@import|url\(/);
  });

  it('the state comes from the watch cache, never a DCS read, and is shared for a second', async () => {
    const state = fakeState({
      cluster: batman({
        members: [
          apiMember('postgresql0', {
            conn_url: 'postgres://127.0.0.1:5432/postgres',
            api_url: 'http://127.0.0.1:8008/patroni',
            state: 'running',
            role: 'primary',
            timeline: 5,
          }),
          // Port 1: refused at once, reported unreachable.
          apiMember('postgresql1', {
            conn_url: 'postgres://127.0.0.1:5433/postgres',
            api_url: 'http://127.0.0.1:1/patroni',
            state: 'running',
            role: 'replica',
            timeline: 5,
          }),
        ],
      }),
      lastDecision: {
        at: '2026-11-28T23:00:00.000Z',
        message: 'no action. I am (postgresql0), the leader with the lock',
        steps: [],
        reasons: [],
        lastWeighing: null,
      },
    });
    let dcsReads = 0;
    const base = fakeContext(state);
    const ctx = {
      ...base,
      freshCluster: async () => {
        dcsReads++;
        return base.freshCluster();
      },
    };
    const first = await dashboardState(ctx, 1_000_000);
    const second = await dashboardState(ctx, 1_000_500);
    assert.equal(dcsReads, 0);
    assert.equal(second, first, 'a second request within the second gets the same gathering');
    assert.ok(first.ok);
    const view = first.ok ? first.view : undefined;
    assert.equal(view?.members.find((m) => m.name === 'postgresql0')?.lastDecision?.message, 'no action. I am (postgresql0), the leader with the lock');
    assert.equal(view?.members.find((m) => m.name === 'postgresql1')?.reachable, false);
    const third = await dashboardState(ctx, 1_001_500);
    assert.notEqual(third, first, 'refreshed after a second');
  });
});
