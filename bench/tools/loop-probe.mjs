// Where a daemon's event loop stalls, for chasing health-check tail latency (not used by the bench
// itself): preload it into the daemons, e.g.
//   NODE_OPTIONS="--import $PWD/bench/tools/loop-probe.mjs" LOOP_PROBE_DIR=/tmp/probe <start the cluster>
// Every 5 s each process appends to $LOOP_PROBE_DIR/loop-<pid>.txt: event-loop delay (p50, p99, max),
// GC pauses (count, total, longest) and every synchronous fs call made after the first 15 s (start-up
// is allowed to be synchronous), with its call site. Plain JavaScript: the daemon runs without tsx.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const dir = process.env.LOOP_PROBE_DIR ?? '/tmp';
const started = Date.now();
const calls = new Map();
const original = new Map();
for (const name of Object.keys(fs)) {
  const fn = fs[name];
  if (!name.endsWith('Sync') || typeof fn !== 'function') continue;
  original.set(name, fn);
  fs[name] = function probed(...args) {
    if (Date.now() - started > 15_000) {
      const site = (new Error().stack ?? '').split('\n').slice(2, 5).map((l) => l.trim().replace(/^at /, '')).join(' < ');
      if (!site.includes('loop-probe.mjs')) {
        const key = `${name} ${site}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
      }
    }
    return fn.apply(this, args);
  };
}
syncBuiltinESMExports();

const gc = { n: 0, total: 0, max: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.n++;
    gc.total += e.duration;
    gc.max = Math.max(gc.max, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

const ms = (ns) => (ns / 1e6).toFixed(2);
const append = original.get('appendFileSync');
setInterval(() => {
  const lines = [`+${((Date.now() - started) / 1000).toFixed(0)} s: event-loop delay p50 ${ms(delay.percentile(50))} p99 ${ms(delay.percentile(99))} max ${ms(delay.max)} ms; ` +
    `gc ${gc.n} pauses, ${gc.total.toFixed(1)} ms in all, longest ${gc.max.toFixed(1)} ms`];
  for (const [k, v] of [...calls].sort((a, b) => b[1] - a[1])) lines.push(`  ${v} x ${k}`);
  calls.clear();
  delay.reset();
  Object.assign(gc, { n: 0, total: 0, max: 0 });
  try {
    append.call(fs, `${dir}/loop-${process.pid}.txt`, `${lines.join('\n')}\n`);
  } catch {
    // nowhere to report to
  }
}, 5_000).unref();
