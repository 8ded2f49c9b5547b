// `restart CLUSTER [MEMBER...]` (ctl.restart): immediate or scheduled restarts via POST /restart.
import type { Command } from 'commander';
import type { JsonObject } from '../../util/json.js';
import { choice, defineCommand, integer } from '../cli.js';
import { clusterConfig } from '../cluster-config.js';
import { CtlError } from '../errors.js';
import { ROLE_CHOICES, type CtlRole } from '../members.js';
import type { Runtime } from '../runtime.js';
import { checkResponse, confirmMembersAction, selectMembers } from '../select-members.js';
import { nextHourExample, parseScheduled } from '../timestamps.js';

/** Patroni's postgres_version_to_int validation: `X.Y` (X >= 10) or `X.Y.Z`. */
export function checkPgVersion(v: string): void {
  const parts = v.split('.');
  if (parts.some((p) => !/^\s*[-+]?\d+\s*$/.test(p))) throw new CtlError(`Invalid PostgreSQL version: ${v}`);
  const n = parts.map(Number);
  if (n.length < 2 || n.length > 3 || (n.length === 2 && (n[0] ?? 0) < 10)) {
    throw new CtlError(`Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${v}`);
  }
}

interface Opts {
  role: CtlRole;
  any?: boolean;
  scheduled?: string;
  pgVersion?: string;
  pending?: boolean;
  timeout?: string;
  force?: boolean;
}

export function registerRestart(program: Command, rt: Runtime): void {
  defineCommand(program, 'restart', '[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...', 'Restart cluster member')
    .argument('<cluster_name>')
    .argument('[member_names...]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-r, --role <role>', 'Restart only members with this role', choice("'--role' / '-r'", ROLE_CHOICES), 'any')
    .option('--any', 'Restart a single member only')
    .option('--scheduled <ts>', 'Timestamp of a scheduled restart in unambiguous format (e.g. ISO 8601)')
    .option('--pg-version <version>', 'Restart if the PostgreSQL version is less than provided (e.g. 9.5.2)')
    .option('--pending', 'Restart if pending')
    .option('--timeout <timeout>', 'Return error and fail over if necessary when restarting takes longer than this.')
    .option('--force', 'Do not ask for confirmation at any point')
    .action(async (name: string, memberNames: string[], o: Opts) =>
      rt.run(async (ctx) => {
        const force = o.force === true;
        const cluster = await ctx.getCluster(name);
        let members = await selectMembers(ctx, { cluster, clusterName: name, memberNames, role: o.role, force, action: 'restart', askConfirmation: false });
        let scheduledText = o.scheduled;
        if (scheduledText === undefined && !force) {
          scheduledText = await ctx.prompts.prompt(`When should the restart take place (e.g. ${nextHourExample()}) `, { default: 'now' });
        }
        const scheduled = parseScheduled(scheduledText);
        const content: JsonObject = {};
        if (o.pending) {
          content.restart_pending = true;
          // Scheduled: which nodes need a restart is decided at that time.
          if (!scheduled) members = members.filter((m) => m.data.pending_restart === true);
        }
        if (o.any) {
          const one = members[Math.floor(Math.random() * members.length)];
          members = one ? [one] : [];
        }
        await confirmMembersAction(ctx, members, force, 'restart', scheduled, o.pending === true);
        let version = o.pgVersion;
        if (version === undefined && !force) {
          version = await ctx.prompts.prompt('Restart if the PostgreSQL version is less than provided (e.g. 9.5.2) ', { default: '' });
        }
        if (version) {
          checkPgVersion(version);
          content.postgres_version = version;
        }
        if (scheduled) {
          if (clusterConfig(cluster).pause) throw new CtlError("Can't schedule restart in the paused state");
          content.schedule = scheduled.iso;
        }
        if (o.timeout !== undefined) content.timeout = o.timeout;
        for (const m of members) {
          if (content.schedule !== undefined && force && m.data.scheduled_restart) {
            const d = await ctx.request(m, 'DELETE', 'restart');
            checkResponse(ctx, d.status, d.body, m.name, 'flush scheduled restart', true);
          }
          const r = await ctx.request(m, 'POST', 'restart', content);
          if (r.status === 200) ctx.out(`Success: restart on member ${m.name}\n`);
          else if (r.status === 202) ctx.out(`Success: restart scheduled on member ${m.name}\n`);
          else if (r.status === 409) ctx.out(`Failed: another restart is already scheduled on member ${m.name}\n`);
          else ctx.out(`Failed: restart for member ${m.name}, status code=${r.status}, (${r.body})\n`);
        }
      }),
    );
}
