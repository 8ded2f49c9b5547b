// `query [CLUSTER] (-c SQL | -f FILE)` (ctl.query): SQL over libpq to a member chosen by
// role or name; errors become a timestamped row, never an exit code.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Cluster } from '../../dcs/cluster.js';
import { log } from '../../log/logger.js';
import { connKwargs } from '../../api/conn-url.js';
import { BadValue, checkExtraArgs, choice, defineCommand, float, integer } from '../cli.js';
import { clusterName, type CtlContext } from '../context.js';
import { CtlError } from '../errors.js';
import { anyMember, ROLE_CHOICES, type CtlRole } from '../members.js';
import type { Runtime } from '../runtime.js';
import { renderTable, type Cell, type TableFormat } from '../table.js';
import { timestampSeconds, watching } from '../watch.js';
import { FORMATS } from './list.js';

interface Opts {
  group?: number;
  role?: CtlRole;
  member?: string;
  command?: string;
  file?: string;
  dbname?: string;
  username?: string;
  password?: boolean;
  format: TableFormat;
  delimiter: string;
  W?: boolean;
  watch?: number;
}

interface Target {
  role: CtlRole;
  member?: string;
}
interface Connect {
  user?: string;
  password?: string;
  database?: string;
}
type QueryResult = { columns: string[] | null; rows: Cell[][] };

/** Cell values as psycopg would hand them to Python's str(): bools, integers and NULL typed. */
function cell(value: unknown, oid: number): Cell {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (oid === 16) return text === 't';
  if ([20, 21, 23, 26].includes(oid)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  return text;
}

function recoveryMatches(role: CtlRole, inRecovery: boolean): boolean {
  if (role === 'any' || role === 'leader') return true;
  return inRecovery ? role !== 'primary' : role === 'primary';
}

function noConnection(t: Target): string {
  if (t.member !== undefined) return `No connection to member ${t.member} is available`;
  return `No connection to role '${t.role}' is available`;
}

async function queryMember(cluster: Cluster, t: Target, sql: string, params: Connect): Promise<QueryResult> {
  const errorRow = (message: string): QueryResult => ({ columns: null, rows: [[timestampSeconds(), message]] });
  const member = anyMember(cluster, t.role, t.member);
  const conn = member ? connKwargs(member.data.conn_url) : null;
  if (!conn) return errorRow(noConnection(t));
  const { connect } = await import('../../postgresql/connection.js');
  // libpq semantics: TLS settings come from PG* variables and ~/.postgresql, as for Patroni's psycopg.
  const auth = { username: params.user ?? process.env.PGUSER ?? userInfo().username, ...(params.password === undefined ? {} : { password: params.password }) };
  let client: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    client = await connect({
      host: conn.host,
      port: conn.port,
      auth,
      database: params.database ?? process.env.PGDATABASE ?? auth.username,
      applicationName: process.env.PGAPPNAME ?? 'Patroni ctl',
      connectTimeoutSec: 5,
      statementTimeoutMs: null,
      types: { getTypeParser: () => (v: string) => v },
    });
    if (t.role !== 'any' && t.role !== 'leader') {
      const r = await client.query<{ r: string }>('SELECT pg_catalog.pg_is_in_recovery() AS r');
      if (!recoveryMatches(t.role, r.rows[0]?.r === 't')) return errorRow(noConnection(t));
    }
    const res = await client.query({ text: sql, rowMode: 'array' });
    const last = Array.isArray(res) ? res.at(-1) : res;
    const fields: { name: string; dataTypeID: number }[] = last?.fields ?? [];
    const rows = ((last?.rows ?? []) as unknown[][]).map((r) => r.map((v, i) => cell(v, fields[i]?.dataTypeID ?? 25)));
    return { columns: fields.length ? fields.map((f) => f.name) : null, rows };
  } catch (e) {
    log.debug('%s', e instanceof Error ? e.message : String(e));
    const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
    return errorRow(`ERROR, SQLSTATE: ${(code ?? (e instanceof Error ? e.message : String(e))).replace(/\n/g, ' ')}`);
  } finally {
    await client?.end().catch(() => undefined);
  }
}

function render(res: QueryResult, fmt: TableFormat, delimiter: string): string {
  if (res.columns) return renderTable(res.columns, res.rows, { fmt, delimiter });
  // No header (error rows): print_output prints just the rows.
  if (fmt === 'tsv' || fmt === 'pretty') return res.rows.map((r) => r.map((c) => (c === null ? 'None' : String(c))).join(delimiter)).join('\n') + '\n';
  return renderTable([], res.rows, { fmt });
}

async function runQuery(ctx: CtlContext, name: string, o: Opts, sql: string): Promise<void> {
  const params: Connect = {};
  if (o.username) params.user = o.username;
  if (o.password) params.password = await ctx.prompts.prompt('Password', { hidden: true });
  if (o.dbname) params.database = o.dbname;
  const target: Target = o.member !== undefined ? { role: o.role ?? 'any', member: o.member } : { role: o.role ?? 'leader' };
  const cluster = await ctx.getCluster(name);
  await watching(o.W === true, o.watch, null, async () => {
    ctx.out(render(await queryMember(cluster, target, sql, params), o.format, o.delimiter));
  });
}

export function registerQuery(program: Command, rt: Runtime): void {
  const cmd = defineCommand(program, 'query', '[OPTIONS] [CLUSTER_NAME]', 'Query a Patroni PostgreSQL member')
    .argument('[cluster_name]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('--format <format>', 'Output format', choice("'--format'", FORMATS), 'tsv')
    .option('-f, --file <file>', 'Execute the SQL commands from this file')
    .option('--password', 'force password prompt')
    .option('-U, --username <user>', 'database user name')
    .option('-W', 'Auto update the screen every 2 seconds')
    .option('-w, --watch <seconds>', 'Auto update the screen every X seconds', float("'-w' / '--watch'"))
    .option('-r, --role <role>', 'The role of the query', choice("'--role' / '-r'", ROLE_CHOICES))
    .option('-m, --member <name>', 'Query a specific member')
    .option('--delimiter <d>', 'The column delimiter', '\t')
    .option('-c, --command <sql>', 'The SQL commands to execute')
    .option('-d, --dbname <db>', 'database name to connect to')
    .allowExcessArguments(true);
  cmd.action(async (name: string | undefined, o: Opts) => {
    checkExtraArgs(cmd.args, 1);
    if (o.role !== undefined && o.member !== undefined) throw new CtlError('--role and --member are mutually exclusive options');
    let sql: string;
    if (o.file !== undefined) {
      if (o.command !== undefined) throw new CtlError('--file and --command are mutually exclusive options');
      try {
        sql = readFileSync(o.file === '-' ? 0 : o.file, 'utf8');
      } catch {
        throw new BadValue(`Invalid value for '--file' / '-f': '${o.file}': No such file or directory`);
      }
    } else if (o.command === undefined) throw new CtlError('You need to specify either --command or --file');
    else sql = o.command;
    await rt.run((ctx) => runQuery(ctx, clusterName(ctx, name), o, sql));
  });
}
