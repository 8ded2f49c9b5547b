// `flush CLUSTER [MEMBER...] restart|switchover`: discard scheduled restarts or a scheduled switchover.
import type { Command } from 'commander';
import { log } from '../../log/logger.js';
import type { Cluster, Member } from '../../dcs/cluster.js';
import { choice, defineCommand, integer } from '../cli.js';
import type { CtlContext } from '../context.js';
import { ROLE_CHOICES, type CtlRole } from '../members.js';
import type { Runtime } from '../runtime.js';
import { checkResponse, selectMembers } from '../select-members.js';
import { eventTimestamp } from '../timestamps.js';

const TARGETS = ['restart', 'switchover'] as const;

/** Members with an api_url, the leader first (Patroni's get_all_members_leader_first). */
export function membersLeaderFirst(cluster: Cluster): Member[] {
  const leaderName = cluster.leader?.name;
  const leader = cluster.members.find((m) => m.name === leaderName && m.data.api_url);
  return [...(leader ? [leader] : []), ...cluster.members.filter((m) => m !== leader && m.data.api_url)];
}

async function flushSwitchover(ctx: CtlContext, name: string, cluster: Cluster): Promise<void> {
  const failover = cluster.failover;
  if (!failover?.scheduledAt) {
    ctx.out('No pending scheduled switchover\n');
    return;
  }
  for (const m of membersLeaderFirst(cluster)) {
    try {
      const r = await ctx.request(m, 'DELETE', 'switchover');
      if (r.status === 200 || r.status === 404) {
        ctx.out(`${r.status === 200 ? 'Success' : 'Failed'}: ${r.body}\n`);
        return;
      }
      ctx.out(`Failed: member=${m.name}, status_code=${r.status}, (${r.body})\n`);
    } catch (e) {
      log.warning('%s', e instanceof Error ? e.message : String(e));
      log.warning('Member %s is not accessible', m.name);
    }
  }
  log.warning('Failing over to DCS');
  ctx.out(`${eventTimestamp()} Could not find any accessible member of cluster ${name}\n`);
  await (await ctx.dcs(name)).setFailoverValue('{}', failover.version);
}

export function registerFlush(program: Command, rt: Runtime): void {
  const targetChoice = choice("'{restart|switchover}'", TARGETS);
  defineCommand(program, 'flush', '[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]... {restart|switchover}', 'Discard scheduled events')
    .argument('<cluster_name>')
    .argument('<args...>')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-r, --role <role>', 'Flush only members with this role', choice("'--role' / '-r'", ROLE_CHOICES), 'any')
    .option('--force', 'Do not ask for confirmation at any point')
    .action(async (name: string, args: string[], o: { role: CtlRole; force?: boolean }) => {
      // click's trailing TARGET argument after a variadic MEMBER_NAMES.
      const target = targetChoice(args.at(-1) ?? '');
      const memberNames = args.slice(0, -1);
      await rt.run(async (ctx) => {
        const cluster = await ctx.getCluster(name);
        if (target === 'switchover') return flushSwitchover(ctx, name, cluster);
        const members = await selectMembers(ctx, { cluster, clusterName: name, memberNames, role: o.role, force: o.force === true, action: 'flush' });
        for (const m of members) {
          if (m.data.scheduled_restart) {
            const r = await ctx.request(m, 'DELETE', 'restart');
            checkResponse(ctx, r.status, r.body, m.name, 'flush scheduled restart');
          } else ctx.out(`No scheduled restart for member ${m.name}\n`);
        }
      });
    });
}
