// `reload CLUSTER [MEMBER...]`: POST /reload on the selected members.
import type { Command } from 'commander';
import { choice, defineCommand, integer } from '../cli.js';
import { clusterConfig } from '../cluster-config.js';
import { ROLE_CHOICES, type CtlRole } from '../members.js';
import type { Runtime } from '../runtime.js';
import { selectMembers } from '../select-members.js';

export function registerReload(program: Command, rt: Runtime): void {
  defineCommand(program, 'reload', '[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...', 'Reload cluster member configuration')
    .argument('<cluster_name>')
    .argument('[member_names...]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-r, --role <role>', 'Reload only members with this role', choice("'--role' / '-r'", ROLE_CHOICES), 'any')
    .option('--force', 'Do not ask for confirmation at any point')
    .action(async (name: string, memberNames: string[], o: { role: CtlRole; force?: boolean }) =>
      rt.run(async (ctx) => {
        const cluster = await ctx.getCluster(name);
        const members = await selectMembers(ctx, { cluster, clusterName: name, memberNames, role: o.role, force: o.force === true, action: 'reload' });
        for (const m of members) {
          const r = await ctx.request(m, 'POST', 'reload');
          if (r.status === 200) ctx.out(`No changes to apply on member ${m.name}\n`);
          else if (r.status === 202)
            ctx.out(`Reload request received for member ${m.name} and will be processed within ${clusterConfig(cluster).loop_wait} seconds\n`);
          else ctx.out(`Failed: reload for member ${m.name}, status code=${r.status}, (${r.body})\n`);
        }
      }),
    );
}
