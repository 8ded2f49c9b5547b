// Member tags (Patroni's Tags in patroni/tags.py): derived predicates and the subset published in the
// member key. Tag values come from YAML or from other members' JSON, so booleans are parsed leniently.
import { parseBool, parseIntLoose, type Json, type JsonObject } from '../util/json.js';

export type TagSource = Readonly<Record<string, unknown>> | null | undefined;

const flag = (tags: TagSource, key: string): boolean => parseBool(tags?.[key]) === true;

function priority(tags: TagSource, key: string): number | undefined {
  const v = parseIntLoose(tags?.[key]);
  return v === undefined ? undefined : v;
}

/** nofailover: explicit tag wins; else failover_priority <= 0 means "never promote". */
export function nofailover(tags: TagSource): boolean {
  const explicit = parseBool(tags?.nofailover);
  if (explicit !== undefined && tags?.nofailover !== undefined && tags.nofailover !== null) return explicit;
  const p = priority(tags, 'failover_priority');
  return p !== undefined && p <= 0;
}

/** Priority among failover candidates (higher wins); 0 when nofailover, default 1. */
export function failoverPriority(tags: TagSource): number {
  if (parseBool(tags?.nofailover) === true) return 0;
  const p = priority(tags, 'failover_priority');
  if (p !== undefined) return Math.max(p, 0);
  return 1;
}

/** nosync: explicit tag wins; else sync_priority <= 0 means "never a synchronous standby". */
export function nosync(tags: TagSource): boolean {
  const explicit = parseBool(tags?.nosync);
  if (explicit !== undefined && tags?.nosync !== undefined && tags.nosync !== null) return explicit;
  const p = priority(tags, 'sync_priority');
  return p !== undefined && p <= 0;
}

/** Priority among synchronous standby candidates; 0 when nosync, default 1. */
export function syncPriority(tags: TagSource): number {
  if (parseBool(tags?.nosync) === true) return 0;
  const p = priority(tags, 'sync_priority');
  if (p !== undefined) return Math.max(p, 0);
  return 1;
}

export const nostream = (tags: TagSource): boolean => flag(tags, 'nostream');
export const noloadbalance = (tags: TagSource): boolean => flag(tags, 'noloadbalance');
export const clonefrom = (tags: TagSource): boolean => flag(tags, 'clonefrom');

/** The member name to replicate from (cascading), if set. */
export function replicatefrom(tags: TagSource): string | undefined {
  const v = tags?.replicatefrom;
  return typeof v === 'string' && v ? v : undefined;
}

const BOOLEAN_TAGS = ['clonefrom', 'nofailover', 'noloadbalance', 'nosync', 'nostream'];

/**
 * Tags as published in the member key / REST API: non-boolean tags always; the predefined boolean
 * tags only when true, except nofailover/nosync which are also kept (even false) next to their
 * priority tag so readers see the contradiction resolved the same way.
 */
export function publishedTags(tags: TagSource): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (value === undefined) continue;
    if (BOOLEAN_TAGS.includes(key)) {
      const keepFalse = (key === 'nofailover' && tags?.failover_priority !== undefined) || (key === 'nosync' && tags?.sync_priority !== undefined);
      if (parseBool(value) === true || keepFalse) out[key] = value as Json;
    } else {
      out[key] = value as Json;
    }
  }
  return out;
}

const pyStr = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : v === null ? 'None' : String(v));

/**
 * Config._validate_contradictory_tags: the boolean tag set and its priority saying the opposite
 * (true with priority > 0, false with priority <= 0). The boolean tag wins; Patroni's warning text.
 */
export function contradictoryTags(tags: TagSource): string[] {
  const out: string[] = [];
  for (const [boolName, priorityName] of [
    ['nofailover', 'failover_priority'],
    ['nosync', 'sync_priority'],
  ] as const) {
    if (!tags || !(boolName in tags)) continue;
    const raw = tags[boolName];
    const p = priority(tags, priorityName);
    const on = parseBool(raw) ?? Boolean(raw);
    if (p !== undefined && ((on && p > 0) || (!on && p <= 0))) {
      out.push(`Conflicting configuration between ${boolName}: ${pyStr(raw)} and ${priorityName}: ${p}. Defaulting to ${boolName}: ${pyStr(raw)}`);
    }
  }
  return out;
}
