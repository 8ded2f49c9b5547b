// `version [CLUSTER] [MEMBER...]`: our version, then each member's Patroni/PostgreSQL version via REST.
import type { Command } from 'commander';
import { defineCommand, integer } from '../cli.js';
import type { CtlContext } from '../context.js';
import { requestPatroni } from '../rest.js';
import type { Runtime } from '../runtime.js';
import { isObject, parseJson } from '../../util/json.js';

export const CTL_VERSION = '4.1.4';

/** 160004 -> 16.4, 90624 -> 9.6.24 */
export function formatServerVersion(v: number): string {
  const major = Math.floor(v / 10000);
  return v < 100000 ? `${major}.${Math.floor(v / 100) % 100}.${v % 100}` : `${major}.${v % 100}`;
}

/** One member's line from its GET api_url answer. */
export function versionLine(name: string, body: string): string {
  const data = parseJson(body);
  const patroni = isObject(data) && isObject(data.patroni) ? data.patroni : null;
  if (!isObject(data) || !patroni) return `${name}: failed to get version: invalid response`;
  const pg = typeof data.server_version === 'number' ? ` PostgreSQL ${formatServerVersion(data.server_version)}` : '';
  return `${name}: Patroni ${String(patroni.version)}${pg}`;
}

async function memberVersions(ctx: CtlContext, cluster: string, names: string[]): Promise<void> {
  const c = await ctx.getCluster(cluster);
  const members = c.members.filter((m) => m.data.api_url && (names.length === 0 || names.includes(m.name)));
  const lines = await Promise.all(
    members.map(async (m) => {
      try {
        const res = await requestPatroni(ctx.config, ctx.insecure, m.data.api_url ?? '', 'GET');
        return versionLine(m.name, res.body);
      } catch (e) {
        return `${m.name}: failed to get version: ${e instanceof Error ? e.message : String(e)}`;
      }
    }),
  );
  for (const l of lines) ctx.out(l + '\n');
}

export function registerVersion(program: Command, rt: Runtime): void {
  defineCommand(program, 'version', '[OPTIONS] [CLUSTER_NAME] [MEMBER_NAMES]...', 'Output version of patronictl command or a running Patroni instance')
    .argument('[cluster_name]')
    .argument('[member_names...]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .action(async (cluster: string | undefined, names: string[]) => {
      process.stdout.write(`patronictl version ${CTL_VERSION}\n`);
      if (!cluster) return;
      process.stdout.write('\n');
      await rt.run((ctx) => memberVersions(ctx, cluster, names));
    });
}
