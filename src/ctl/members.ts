// Member selection by role (Patroni's ctl.get_all_members and ctl.get_any_member).
import type { Cluster, Member } from '../dcs/cluster.js';
import { memberByName } from '../dcs/cluster.js';

export const ROLE_CHOICES = ['leader', 'primary', 'standby-leader', 'replica', 'standby', 'any'] as const;
export type CtlRole = (typeof ROLE_CHOICES)[number];

function leaderMember(cluster: Cluster): Member | null {
  const leader = cluster.leader;
  if (!leader?.name) return null;
  return leader.member ?? memberByName(cluster, leader.name) ?? { name: leader.name, version: leader.version, data: {} };
}

export function membersWithRole(cluster: Cluster, role: CtlRole): Member[] {
  const leader = leaderMember(cluster);
  const dcsRole = leader?.data.role;
  switch (role) {
    case 'leader':
      return leader ? [leader] : [];
    case 'primary':
      return leader && dcsRole !== 'standby_leader' ? [leader] : [];
    case 'standby-leader':
      return leader && dcsRole !== 'primary' ? [leader] : [];
    case 'replica':
    case 'standby':
      return cluster.members.filter((m) => m.name !== leader?.name);
    case 'any':
      return cluster.members;
  }
}

/** get_any_member: the first member with the role, optionally only the named one. */
export function anyMember(cluster: Cluster, role: CtlRole, name?: string): Member | undefined {
  return membersWithRole(cluster, role).find((m) => name === undefined || m.name === name);
}
