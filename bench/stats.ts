// Summaries of repeated samples and the goal check (pure).
import type { Goal } from './metrics.js';

export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { n: sorted.length, min: sorted[0] ?? 0, median, max: sorted[sorted.length - 1] ?? 0 };
}

/** ours/theirs of the medians; undefined when a side is missing or theirs is 0. */
export function ratio(ours: Summary | undefined, theirs: Summary | undefined): number | undefined {
  if (!ours || !theirs || theirs.median === 0) return undefined;
  return ours.median / theirs.median;
}

export type GoalVerdict = 'met' | 'missed' | 'unknown';

export function checkGoal(goal: Goal, ours: Summary | undefined, r: number | undefined): GoalVerdict {
  switch (goal.kind) {
    case 'ratio-at-most':
      return r === undefined ? 'unknown' : r <= goal.value ? 'met' : 'missed';
    case 'ratio-at-least':
      return r === undefined ? 'unknown' : r >= goal.value ? 'met' : 'missed';
    case 'ours-below':
      return ours === undefined ? 'unknown' : ours.median < goal.value ? 'met' : 'missed';
  }
}
