// What every measurement gets: where to record, which profile/implementation, how many repetitions.
import type { EtcdServer } from '../test/support/etcd.js';
import { IMPL_LABEL, metricDef, type Impl, type MetricId } from './metrics.js';
import type { BenchOptions, Profile } from './options.js';
import { progress } from './progress.js';
import { errorText, type ResultStore } from './results.js';
import { summarize } from './stats.js';

export interface SuiteContext {
  impl: Impl;
  profile: Profile;
  options: BenchOptions;
  etcd: EtcdServer;
  store: ResultStore;
}

export const tag = (ctx: SuiteContext): string => `${IMPL_LABEL[ctx.impl]} [${ctx.profile.name}]`;

/** Generous bound for one HA event under a profile: a few TTLs plus start-up slack. */
export const haTimeoutMs = (p: Profile): number => (3 * p.ttl + 6 * p.loopWait + 60) * 1000;

export function record(ctx: SuiteContext, metric: MetricId, value: number): void {
  ctx.store.add(ctx.profile.name, ctx.impl, metric, { kind: 'value', value });
  progress(`${tag(ctx)} ${metric} = ${formatValue(value)} ${metricDef(metric).unit}`);
}

/** Many samples from one tool run (hyperfine's runs, one per daemon): one progress line. */
export function recordMany(ctx: SuiteContext, metric: MetricId, values: readonly number[]): void {
  for (const value of values) ctx.store.add(ctx.profile.name, ctx.impl, metric, { kind: 'value', value });
  const s = summarize(values);
  if (s)
    progress(
      `${tag(ctx)} ${metric} = ${formatValue(s.min)} / ${formatValue(s.median)} / ${formatValue(s.max)} ${metricDef(metric).unit} (min/median/max of ${s.n})`,
    );
}

export function recordError(ctx: SuiteContext, metrics: readonly MetricId[], e: unknown): void {
  const error = errorText(e);
  for (const m of metrics) ctx.store.add(ctx.profile.name, ctx.impl, m, { kind: 'error', error });
  progress(`${tag(ctx)} ${metrics.join(', ')} FAILED: ${error}`);
}

/** Runs one step; a failure is recorded against its metrics and does not stop the run. */
export async function step(ctx: SuiteContext, name: string, metrics: readonly MetricId[], fn: () => Promise<void>): Promise<boolean> {
  progress(`${tag(ctx)} ${name} ...`);
  try {
    await fn();
    return true;
  } catch (e) {
    recordError(ctx, metrics, e);
    return false;
  }
}

export function formatValue(v: number): string {
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (Math.abs(v) >= 100) return v.toFixed(1);
  if (Math.abs(v) >= 10) return v.toFixed(2);
  return v.toFixed(3);
}
