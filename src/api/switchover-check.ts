// POST /switchover and /failover decisions (RestApiHandler.do_POST_failover, is_failover_possible,
// poll_failover_result): body validation in Patroni's order, candidate selection for the feasibility
// probe, and the verdict of each polling round. Pure.
import type { Cluster, Member } from '../dcs/cluster.js';
import { nofailover } from '../config/tags.js';
import { isObject, parseBool, type Json, type JsonObject } from '../util/json.js';
import { parseSchedule } from './schedule.js';

export type SwitchoverAction = 'switchover' | 'failover';

export interface SwitchoverRequest {
  /** The URL's action, turned into `switchover` when a failover names a leader. */
  action: SwitchoverAction;
  leader?: string;
  candidate?: string;
  /** Set for a scheduled switchover: the time and its isoformat text for the failover key. */
  scheduled?: { at: Date; iso: string };
}

export type Refusal = { kind: 'refused'; code: number; message: string };

const bad = (code: number, message: string): Refusal => ({ kind: 'refused', code, message });

/** A JSON value as Python's truthiness sees it: only non-empty strings are usable names. */
function name(v: Json | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Steps 1-5 of the validation table; feasibility and the DCS write come after. */
export function validateSwitchover(action: SwitchoverAction, body: JsonObject, paused: boolean, now: Date): SwitchoverRequest | Refusal {
  const leader = name(body.leader);
  const candidate = name(body.candidate) ?? name(body.member);
  const rawSchedule = body.scheduled_at;
  const wantsSchedule = rawSchedule !== undefined && rawSchedule !== null && rawSchedule !== '' && rawSchedule !== false;
  if (action === 'failover' && !candidate) return bad(400, 'Failover could be performed only to a specific candidate');
  if (action === 'switchover' && !leader) return bad(400, 'Switchover could be performed only from a specific leader');
  let scheduled: SwitchoverRequest['scheduled'];
  if (wantsSchedule) {
    if (action === 'failover') return bad(400, "Failover can't be scheduled");
    if (paused) return bad(400, "Can't schedule switchover in the paused state");
    const s = parseSchedule(rawSchedule, 'switchover', now);
    if (s.kind === 'invalid') return bad(s.code, s.message);
    scheduled = { at: s.at, iso: s.iso };
  }
  if (paused && !candidate) return bad(400, 'Switchover is possible only to a specific candidate in a paused state');
  const effective: SwitchoverAction = action === 'failover' && leader ? 'switchover' : action;
  if (leader === candidate) return bad(400, 'Switchover target and source are the same');
  return { action: effective, ...(leader ? { leader } : {}), ...(candidate ? { candidate } : {}), ...(scheduled ? { scheduled } : {}) };
}

function inSync(cluster: Cluster, member: string): boolean {
  return cluster.sync.members.some((m) => m.toLowerCase() === member.toLowerCase());
}

/** Feasibility steps 1-4: the members whose REST API must be asked, or the refusal text. */
export function switchoverCandidates(cluster: Cluster, req: SwitchoverRequest, synchronousMode: boolean): Member[] | string {
  const { action, leader, candidate } = req;
  if (leader && cluster.leader?.name !== leader) return 'leader name does not match';
  if (candidate) {
    if (action === 'switchover' && synchronousMode && !inSync(cluster, candidate)) return 'candidate name does not match with sync_standby';
    const found = cluster.members.filter((m) => m.name === candidate);
    return found.length > 0 ? found : 'candidate does not exists';
  }
  if (synchronousMode) {
    const found = cluster.members.filter((m) => inSync(cluster, m.name));
    return found.length > 0 ? found : `${action} is not possible: can not find sync_standby`;
  }
  const current = cluster.leader?.name;
  const found = cluster.members.filter((m) => !current || (m.name !== current && !!m.data.api_url));
  return found.length > 0 ? found : `${action} is not possible: cluster does not have members except leader`;
}

/** A probed member may take over: reachable (status JSON with `xlog`), not nofailover, watchdog fine. */
export function canTakeOver(status: Json | null): boolean {
  if (!isObject(status) || status.xlog === undefined) return false;
  const tags = isObject(status.tags) ? status.tags : {};
  return !nofailover(tags) && parseBool(status.watchdog_failed) !== true;
}

export const noGoodCandidates = (action: SwitchoverAction): string => `${action} is not possible: no good candidates have been found`;

export type PollVerdict = { kind: 'done'; code: 200 | 503; message: string } | { kind: 'wait' };

const past = (action: SwitchoverAction): string => (action === 'switchover' ? 'switched' : 'failed');
const title = (action: SwitchoverAction): string => (action === 'switchover' ? 'Switchover' : 'Failover');

/** One polling round: has the leader changed, or has the HA loop given up (failover key cleared)? */
export function pollVerdict(cluster: Cluster, oldLeader: string | undefined, req: SwitchoverRequest): PollVerdict {
  const now = cluster.leader?.name;
  if (now && now !== oldLeader) {
    if (!req.candidate || req.candidate === now) return { kind: 'done', code: 200, message: `Successfully ${past(req.action)} over to "${now}"` };
    const word = past(req.action);
    return { kind: 'done', code: 200, message: `${word[0]?.toUpperCase()}${word.slice(1)} over to "${now}" instead of "${req.candidate}"` };
  }
  const f = cluster.failover;
  if (!f || (!f.leader && !f.candidate)) return { kind: 'done', code: 503, message: `${title(req.action)} failed` };
  return { kind: 'wait' };
}

export function pollTimedOut(action: SwitchoverAction, seconds: number): string {
  return `${title(action)} status unknown after ${seconds} seconds; operation may still be in progress`;
}
