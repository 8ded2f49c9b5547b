// `list` and `topology` (ctl.members, ctl.topology): the member table of each named cluster, DCS only.
import type { Command } from 'commander';
import { clusterAsJson } from '../../api/cluster-json.js';
import { log } from '../../log/logger.js';
import { choice, defineCommand, float, integer } from '../cli.js';
import { clusterConfig } from '../cluster-config.js';
import type { CtlContext } from '../context.js';
import type { Cluster } from '../../dcs/cluster.js';
import { membersTable } from '../members-table.js';
import type { Runtime } from '../runtime.js';
import type { TableFormat } from '../table.js';
import { timestampSeconds, watching } from '../watch.js';

export const FORMATS = ['pretty', 'tsv', 'json', 'yaml', 'yml'] as const;

interface ListOptions {
  group?: number;
  extended?: boolean;
  timestamp?: boolean;
  format?: TableFormat;
  W?: boolean;
  watch?: number;
}

const clearScreen = () => process.stdout.write('\x1b[2J\x1b[1;1H');

/** Print the member table of an already read cluster. */
export function printMembers(ctx: CtlContext, cluster: Cluster, name: string, fmt: TableFormat = 'pretty', extended = false): void {
  const json = clusterAsJson(cluster, clusterConfig(cluster), name);
  ctx.out(membersTable({ name, initialize: cluster.initialize, cluster: json, extended, fmt }));
}

/** Print one cluster's member table (also used by the commands that show topology first). */
export async function outputMembers(ctx: CtlContext, name: string, fmt: TableFormat, extended = false): Promise<void> {
  printMembers(ctx, await ctx.getCluster(name), name, fmt, extended);
}

async function listMembers(ctx: CtlContext, names: string[], opts: ListOptions, fmt: TableFormat): Promise<void> {
  const scope = ctx.config.scope;
  const clusters = names.length > 0 ? names : typeof scope === 'string' && scope ? [scope] : [];
  if (clusters.length === 0) {
    log.warning('Listing members: No cluster names were provided');
    return;
  }
  await watching(opts.W === true, opts.watch, clearScreen, async () => {
    if (opts.timestamp) ctx.out(timestampSeconds() + '\n');
    for (const name of clusters) await outputMembers(ctx, name, fmt, opts.extended);
  });
}

export function registerList(program: Command, rt: Runtime): void {
  defineCommand(program, 'list', '[OPTIONS] [CLUSTER_NAMES]...', 'List the Patroni members for a given Patroni')
    .argument('[cluster_names...]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-e, --extended', 'Show some extra information')
    .option('-t, --timestamp', 'Print timestamp')
    .option('-f, --format <format>', 'Output format', choice("'--format' / '-f'", FORMATS), 'pretty')
    .option('-W', 'Auto update the screen every 2 seconds')
    .option('-w, --watch <seconds>', 'Auto update the screen every X seconds', float("'-w' / '--watch'"))
    .action(async (names: string[], opts: ListOptions) => rt.run((ctx) => listMembers(ctx, names, opts, opts.format ?? 'pretty')));

  defineCommand(program, 'topology', '[OPTIONS] [CLUSTER_NAMES]...', 'Prints ASCII topology for given cluster')
    .argument('[cluster_names...]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-W', 'Auto update the screen every 2 seconds')
    .option('-w, --watch <seconds>', 'Auto update the screen every X seconds', float("'-w' / '--watch'"))
    .action(async (names: string[], opts: ListOptions) => rt.run((ctx) => listMembers(ctx, names, opts, 'topology')));
}
