// `history [CLUSTER] [-f FORMAT]`: the DCS timeline history as a table.
import type { Command } from 'commander';
import { checkExtraArgs, choice, defineCommand, integer } from '../cli.js';
import { clusterName } from '../context.js';
import { renderTable, type Cell, type TableFormat } from '../table.js';
import type { Runtime } from '../runtime.js';
import { FORMATS } from './list.js';

export const HISTORY_COLUMNS = ['TL', 'LSN', 'Reason', 'Timestamp', 'New Leader'];

export function historyRows(lines: readonly (readonly Cell[])[]): Cell[][] {
  return lines.map((l) => [...l, '', '', '', '', ''].slice(0, 5).map((c) => c ?? ''));
}

export function registerHistory(program: Command, rt: Runtime): void {
  const cmd = defineCommand(program, 'history', '[OPTIONS] [CLUSTER_NAME]', 'Show the history of failovers/switchovers')
    .argument('[cluster_name]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-f, --format <format>', 'Output format', choice("'--format' / '-f'", FORMATS), 'pretty')
    .allowExcessArguments(true);
  cmd.action(async (name: string | undefined, opts: { format?: TableFormat }) => {
    checkExtraArgs(cmd.args, 1);
    await rt.run(async (ctx) => {
      const cluster = await ctx.getCluster(clusterName(ctx, name));
      const rows = historyRows((cluster.history?.lines ?? []).map((l) => l.map((c) => c ?? '')));
      ctx.out(renderTable(HISTORY_COLUMNS, rows, { fmt: opts.format ?? 'pretty', align: { TL: 'r', LSN: 'r' } }));
    });
  });
}
