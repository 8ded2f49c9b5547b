// Member selection of reload / restart / reinit / flush (Patroni's ctl.get_members):
// filter by role, print the table, ask which member and for confirmation unless --force.
import type { Cluster, Member } from '../dcs/cluster.js';
import { printMembers } from './commands/list.js';
import type { CtlContext } from './context.js';
import { CtlError } from './errors.js';
import { membersWithRole, type CtlRole } from './members.js';
import type { Scheduled } from './timestamps.js';

export type MemberAction = 'reload' | 'restart' | 'reinitialize' | 'flush';

export interface SelectRequest {
  cluster: Cluster;
  clusterName: string;
  memberNames: string[];
  role: CtlRole;
  force: boolean;
  action: MemberAction;
  /** false: the caller confirms later (restart asks for a schedule first). */
  askConfirmation?: boolean;
}

export async function selectMembers(ctx: CtlContext, req: SelectRequest): Promise<Member[]> {
  const { cluster, clusterName, role, force, action } = req;
  const members = membersWithRole(cluster, role);
  const candidates = members.map((m) => m.name);
  if (req.memberNames.length === 0 && candidates.length === 0) throw new CtlError(`${clusterName} cluster doesn't have any members`);
  printMembers(ctx, cluster, clusterName);

  let names: string[];
  if (req.memberNames.length > 0) {
    names = req.memberNames.filter((n) => candidates.includes(n));
    // reinit has a fixed role and words it without quotes.
    if (names.length === 0) throw new CtlError(`No ${action === 'reinitialize' ? role : `'${role}'`} among provided members`);
  } else names = action === 'reinitialize' ? [] : candidates;

  if (names.length === 0 && !force) {
    names = [await ctx.prompts.prompt(`Which member do you want to ${action} [${candidates.join(', ')}]?`, { default: '' })];
  }
  for (const n of names) {
    if (!candidates.includes(n)) throw new CtlError(`${n} is not a member of cluster`);
  }
  const selected = members.filter((m) => names.includes(m.name));
  if (req.askConfirmation !== false) await confirmMembersAction(ctx, selected, force, action, null);
  return selected;
}

export async function confirmMembersAction(
  ctx: CtlContext,
  members: Member[],
  force: boolean,
  action: MemberAction,
  scheduled: Scheduled | null,
  pending = false,
): Promise<void> {
  if (force) return;
  const list = members.map((m) => m.name).join(', ');
  if (scheduled && pending) {
    if (
      !(await ctx.prompts.confirm(
        'The nodes needing a restart will be identified at the scheduled time, and might be different from the ones showing pending restart right now. Is this fine?',
      ))
    ) {
      throw new CtlError(`Aborted scheduled ${action}`);
    }
  } else if (scheduled) {
    if (!(await ctx.prompts.confirm(`Are you sure you want to schedule ${action} of members ${list} at ${scheduled.str}?`))) {
      throw new CtlError(`Aborted scheduled ${action}`);
    }
  } else if (!(await ctx.prompts.confirm(`Are you sure you want to ${action} members ${list}?`))) {
    throw new CtlError(`Aborted ${action}`);
  }
}

/** Patroni's check_response: `Failed: ...` for >= 400, else `Success: ...` unless silent. */
export function checkResponse(ctx: CtlContext, status: number, body: string, member: string, action: string, silentSuccess = false): boolean {
  if (status >= 400) {
    ctx.out(`Failed: ${action} for member ${member}, status code=${status}, (${body})\n`);
    return false;
  }
  if (!silentSuccess) ctx.out(`Success: ${action} for member ${member}\n`);
  return true;
}
