// `edit-config [CLUSTER]` (ctl.edit_config): edit the DCS config via -s/-p/--apply/--replace or
// $EDITOR, show a unified diff, confirm, then CAS-write it. DCS only, never REST.
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter as pathDelimiter, join } from 'node:path';
import type { JsonObject } from '../../util/json.js';
import { checkExtraArgs, defineCommand, integer } from '../cli.js';
import { applyConfigChanges, applyYamlText, jsonEqual, yamlDocument } from '../config-edit.js';
import { clusterName, type CtlContext } from '../context.js';
import { CtlError } from '../errors.js';
import { blockYaml } from '../py-yaml.js';
import type { Runtime } from '../runtime.js';
import { diffLines, unifiedDiff } from '../unified-diff.js';

interface Opts {
  group?: number;
  quiet?: boolean;
  set: string[];
  pg: string[];
  apply?: string;
  replace?: string;
  force?: boolean;
}

const readSource = (file: string): string => readFileSync(file === '-' ? 0 : file, 'utf8');

function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (isFile(name)) return name;
  return (env.PATH ?? '/usr/bin:/bin')
    .split(pathDelimiter)
    .map((d) => join(d, name))
    .find(isFile);
}

function invokeEditor(before: string, cluster: string, env: NodeJS.ProcessEnv): string {
  const editor = env.EDITOR || findExecutable('editor', env) || findExecutable('vi', env);
  if (!editor) throw new CtlError('EDITOR environment variable is not set. editor or vi are not available');
  const file = join(tmpdir(), `${cluster}-config-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(file, before, { mode: 0o600, flag: 'wx' }); // exclusive: never through a planted file or link
  try {
    const r = spawnSync(editor, [file], { stdio: 'inherit' });
    if (r.error) throw new CtlError(`Editor ${editor} could not be started: ${r.error.message}`);
    if (r.status !== 0) throw new CtlError(`Editor exited with return code ${r.status ?? 1}`);
    return readFileSync(file, 'utf8');
  } finally {
    unlinkSync(file);
  }
}

const COLOURS: [RegExp, string][] = [
  [/^(---|\+\+\+) /, '\x1b[1m'],
  [/^@@/, '\x1b[36m'],
  [/^-/, '\x1b[31m'],
  [/^\+/, '\x1b[32m'],
];

/** On a terminal the diff is coloured and paged, like Patroni's ydiff. */
function page(lines: string[], env: NodeJS.ProcessEnv): void {
  const pager = env.PAGER || findExecutable('less', env) || findExecutable('more', env);
  if (!pager)
    throw new CtlError('No pager could be found. Either set PAGER environment variable with your pager or install either "less" or "more" in the host.');
  const text =
    lines
      .map((l) => {
        const c = COLOURS.find(([re]) => re.test(l));
        return c ? `${c[1]}${l}\x1b[0m` : l;
      })
      .join('\n') + '\n';
  spawnSync(pager, pager.endsWith('less') ? ['-R', '-F', '-X'] : [], { input: text, stdio: ['pipe', 'inherit', 'inherit'], shell: true });
}

function showDiff(ctx: CtlContext, before: string, after: string, env: NodeJS.ProcessEnv): void {
  const lines = unifiedDiff(diffLines(before), diffLines(after));
  if (process.stdout.isTTY) page(lines, env);
  else for (const l of lines) ctx.out(l + '\n');
}

async function editConfig(ctx: CtlContext, name: string, o: Opts, env: NodeJS.ProcessEnv): Promise<void> {
  const dcs = await ctx.dcs(name);
  const cluster = await ctx.getCluster(name);
  const config = cluster.config;
  if (!config) throw new CtlError(`The config key does not exist in the cluster ${name}`);
  const before = blockYaml(config.data);
  let after: string | undefined;
  let changed: JsonObject = config.data;
  if (o.replace) {
    changed = yamlDocument(readSource(o.replace));
    after = blockYaml(changed);
  }
  if (o.apply) {
    changed = applyYamlText(changed, readSource(o.apply));
    after = blockYaml(changed);
  }
  const pairs = [...o.set, ...o.pg.map((p) => 'postgresql.parameters.' + p.trimStart())];
  if (pairs.length > 0) {
    changed = applyConfigChanges(changed, pairs);
    after = blockYaml(changed);
  }
  if (after === undefined) {
    after = invokeEditor(before, name, env);
    changed = yamlDocument(after);
  }
  if (jsonEqual(config.data, changed)) {
    if (!o.quiet) ctx.out('Not changed\n');
    return;
  }
  if (!o.quiet) showDiff(ctx, before, after, env);
  if ((o.apply === '-' || o.replace === '-') && !o.force) {
    ctx.out('Use --force option to apply changes\n');
    return;
  }
  if (o.force || (await ctx.prompts.confirm('Apply these changes?'))) {
    if (!(await dcs.setConfigValue(JSON.stringify(changed), config.version))) {
      throw new CtlError('Config modification aborted due to concurrent changes');
    }
    ctx.out('Configuration changed\n');
  }
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerEditConfig(program: Command, rt: Runtime, env: NodeJS.ProcessEnv): void {
  const cmd = defineCommand(program, 'edit-config', '[OPTIONS] [CLUSTER_NAME]', 'Edit cluster configuration')
    .argument('[cluster_name]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-q, --quiet', 'Do not show changes')
    .option('-s, --set <kv>', 'Set specific configuration value. Can be specified multiple times', collect, [])
    .option('-p, --pg <kv>', 'Set specific PostgreSQL parameter value. Shorthand for -s postgresql.parameters. Can be specified multiple times', collect, [])
    .option('--apply <file>', 'Apply configuration from file. Use - for stdin.')
    .option('--replace <file>', 'Apply configuration from file, replacing existing configuration. Use - for stdin.')
    .option('--force', 'Do not ask for confirmation at any point')
    .allowExcessArguments(true);
  cmd.action(async (name: string | undefined, o: Opts) => {
    checkExtraArgs(cmd.args, 1);
    for (const f of [o.apply, o.replace]) {
      if (f && f !== '-') {
        try {
          accessSync(f, constants.R_OK);
        } catch {
          throw new CtlError(`Could not open file '${f}': No such file or directory`);
        }
      }
    }
    await rt.run((ctx) => editConfig(ctx, clusterName(ctx, name), o, env));
  });
}
