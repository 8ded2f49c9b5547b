// Samples collected during a run, keyed by profile, implementation and metric.
import type { Json, JsonObject } from '../src/util/json.js';
import type { Impl, MetricId } from './metrics.js';

export type Sample = { kind: 'value'; value: number } | { kind: 'error'; error: string };

export class ResultStore {
  private readonly samples = new Map<string, Sample[]>();
  /** Raw extras for the JSON (per-method DCS counts, switchover answers...), by profile then impl. */
  readonly details: JsonObject = {};

  detail(profile: string, impl: Impl, name: string, value: Json): void {
    const byProfile = (this.details[profile] ??= {}) as JsonObject;
    const byImpl = (byProfile[impl] ??= {}) as JsonObject;
    const list = byImpl[name];
    byImpl[name] = Array.isArray(list) ? [...list, value] : [value];
  }

  add(profile: string, impl: Impl, metric: MetricId, sample: Sample): void {
    const key = ResultStore.key(profile, impl, metric);
    const list = this.samples.get(key) ?? [];
    list.push(sample);
    this.samples.set(key, list);
  }

  get(profile: string, impl: Impl, metric: MetricId): readonly Sample[] {
    return this.samples.get(ResultStore.key(profile, impl, metric)) ?? [];
  }

  private static key(profile: string, impl: Impl, metric: MetricId): string {
    return `${profile}\u0000${impl}\u0000${metric}`;
  }
}

export const valuesOf = (samples: readonly Sample[]): number[] => samples.flatMap((s) => (s.kind === 'value' ? [s.value] : []));

export const errorsOf = (samples: readonly Sample[]): string[] => samples.flatMap((s) => (s.kind === 'error' ? [s.error] : []));

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
