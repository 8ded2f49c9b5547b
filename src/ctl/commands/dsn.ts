// `dsn [CLUSTER] [-r ROLE | -m NAME]`: libpq host/port of a member.
import type { Command } from 'commander';
import { connKwargs } from '../../api/conn-url.js';
import { checkExtraArgs, choice, defineCommand, integer } from '../cli.js';
import { clusterName } from '../context.js';
import { CtlError } from '../errors.js';
import { anyMember, ROLE_CHOICES, type CtlRole } from '../members.js';
import type { Runtime } from '../runtime.js';

export function registerDsn(program: Command, rt: Runtime): void {
  const cmd = defineCommand(program, 'dsn', '[OPTIONS] [CLUSTER_NAME]', 'Generate a dsn for the provided member, defaults to a dsn of the leader')
    .argument('[cluster_name]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-r, --role <role>', 'Give a dsn of any member with this role', choice("'--role' / '-r'", ROLE_CHOICES))
    .option('-m, --member <name>', 'Generate a dsn for this member')
    .allowExcessArguments(true);
  cmd.action(async (name: string | undefined, opts: { role?: CtlRole; member?: string }) => {
    checkExtraArgs(cmd.args, 1);
    if (opts.role !== undefined && opts.member !== undefined) throw new CtlError('--role and --member are mutually exclusive options');
    const role: CtlRole = opts.member === undefined ? (opts.role ?? 'leader') : 'any';
    await rt.run(async (ctx) => {
      const cluster = await ctx.getCluster(clusterName(ctx, name));
      const m = anyMember(cluster, role, opts.member);
      const conn = m ? connKwargs(m.data.conn_url) : null;
      if (!m) throw new CtlError('Can not find a suitable member');
      ctx.out(`host=${conn?.host ?? 'None'} port=${conn?.port ?? 5432}\n`);
    });
  });
}
