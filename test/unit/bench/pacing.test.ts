import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KEPT_UP, pacing, percentile, schedule, type PacedRequest } from '../../../bench/scale/pacing.js';

/** n requests one per 10 ms, each sent `lag` ms late and answered `latency` ms later. */
const steady = (n: number, lag: number, latency: number | undefined): PacedRequest[] =>
  Array.from({ length: n }, (_, i) => ({
    scheduledAt: i * 10,
    sentAt: i * 10 + lag,
    answeredAt: latency === undefined ? undefined : i * 10 + lag + latency,
    ok: latency !== undefined,
  }));

describe('load generator pacing', () => {
  test('on schedule, all answered: kept up, rates from the planned duration', () => {
    const p = pacing(steady(1000, 0.5, 2), 1000, 10, 30);
    assert.equal(p.keptUp, true);
    assert.equal(p.verdict, 'kept up');
    assert.equal(p.scheduledPerSecond, 100);
    assert.equal(p.achievedPerSecond, 100);
    assert.equal(p.lagMs.p99, 0.5);
    assert.equal(p.latencyMs.p50, 2);
    assert.equal(p.failed, 0);
  });

  test('a generator behind its schedule is named, even when etcd answered everything', () => {
    const p = pacing(steady(1000, 250, 2), 1000, 10, 99);
    assert.equal(p.keptUp, false);
    assert.match(p.verdict, /p99 lag behind the schedule 250 ms > 100 ms/);
    assert.match(p.verdict, /generator CPU 99 % of a core/);
    assert.doesNotMatch(p.verdict, /starved/);
  });

  test('late while mostly idle: starved by the machine, and the slice of the stall is shown', () => {
    const requests = steady(1000, 0.5, 2).map((r) => (r.scheduledAt >= 5_000 && r.scheduledAt < 5_200 ? { ...r, sentAt: r.scheduledAt + 1_500 } : r));
    const p = pacing(requests, 1000, 10, 20);
    assert.equal(p.keptUp, false);
    assert.match(p.verdict, /late at 20 % of a core: starved by other load, not saturated/);
    assert.deepEqual(p.worstLagBySliceMs, [1, 1500]);
  });

  test('unanswered and unsent requests lower the achieved rate and are named', () => {
    const requests = [...steady(900, 0, 3), ...steady(50, 0, undefined)];
    const p = pacing(requests, 1000, 10, 20);
    assert.equal(p.sent, 950);
    assert.equal(p.answered, 900);
    assert.equal(p.failed, 50);
    assert.equal(p.achievedPerSecond, 90);
    assert.equal(p.keptUp, false);
    assert.match(p.verdict, /sent 950 of 1000 scheduled requests; 900 of 1000 answered/);
  });

  test('slow answers alone (etcd saturated) do not blame the generator', () => {
    const p = pacing(steady(1000, 1, 800), 1000, 10, 40);
    assert.equal(p.keptUp, true);
    assert.equal(p.latencyMs.p99, 800);
    assert.ok(KEPT_UP.lagP99Ms < 800);
  });

  test('nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(v, 50), 50);
    assert.equal(percentile(v, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 99), 0);
  });
});

describe('replay schedule', () => {
  test('each cluster loops the window from its own phase, in time order, up to the horizon', () => {
    // Two requests at 0 and 600 ms in a 1 s window; cluster 0 unshifted, cluster 1 shifted by 500 ms.
    const events = schedule([0, 600], 1000, [0, 500], 2000);
    assert.deepEqual(
      events.map((e) => [e.t, e.cluster, e.request]),
      [
        [0, 0, 0],
        [100, 1, 1],
        [500, 1, 0],
        [600, 0, 1],
        [1000, 0, 0],
        [1100, 1, 1],
        [1500, 1, 0],
        [1600, 0, 1],
      ],
    );
  });

  test('the request count scales with clusters and horizon: rate = recorded rate x clusters', () => {
    const at = Array.from({ length: 35 }, (_, i) => i * 571);
    const events = schedule(
      at,
      20_000,
      Array.from({ length: 1000 }, (_, c) => (c * 37) % 20_000),
      60_000,
    );
    assert.equal(events.length, 35 * 1000 * 3);
  });
});
