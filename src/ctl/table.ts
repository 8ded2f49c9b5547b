// patronictl's print_output (ctl.print_output): prettytable-compatible `pretty`, `tsv`, `json`,
// `yaml`/`yml`. Pure: returns the text click.echo would print (trailing newline included).
import { pyJson } from '../util/py-json.js';
import type { JsonObject } from '../util/json.js';
import { blockYaml, flowYaml } from './py-yaml.js';

export type Cell = string | number | boolean | null | JsonObject;
export type TableFormat = 'pretty' | 'tsv' | 'json' | 'yaml' | 'yml' | 'topology';
export type Align = 'l' | 'r';

export interface TableOptions {
  fmt: TableFormat;
  /** Per column name; default left. */
  align?: Readonly<Record<string, Align>>;
  /** Member tables only: injected into the top border; also switches on member-table rules. */
  title?: string;
  delimiter?: string;
}

/** Python str() of a cell value. */
export function pyStr(v: Cell): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object') return flowYaml(v);
  return String(v);
}

function pad(text: string, width: number, align: Align): string {
  return align === 'r' ? text.padStart(width) : text.padEnd(width);
}

function injectTitle(border: string, title: string): string {
  const t = title.slice(0, border.length - 2);
  return border[0] + t + border.slice(1 + t.length);
}

export function prettyTable(columns: string[], rows: string[][], align: Readonly<Record<string, Align>>, title?: string): string {
  const split = rows.map((r) => r.map((c) => c.split('\n')));
  const widths = columns.map((h, i) => Math.max(h.length, ...split.map((r) => Math.max(...(r[i] ?? ['']).map((l) => l.length)))));
  const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (cells: string[]) => '|' + cells.map((c, i) => ` ${pad(c, widths[i] ?? 0, align[columns[i] ?? ''] ?? 'l')} `).join('|') + '|';
  const out = [title ? injectTitle(border, title) : border, line(columns), border];
  const ruleEveryRow = rows.some((r) => r.some((c) => c.includes('\n')));
  split.forEach((r, idx) => {
    const height = Math.max(1, ...r.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(columns.map((_, i) => r[i]?.[k] ?? '')));
    if (ruleEveryRow && idx < split.length - 1) out.push(border);
  });
  out.push(border);
  return out.join('\n') + '\n';
}

export function renderTable(columns: string[], rows: Cell[][], opts: TableOptions): string {
  const { fmt } = opts;
  const memberTable = opts.title !== undefined;
  if (fmt === 'json' || fmt === 'yaml' || fmt === 'yml') {
    const objects: JsonObject[] = rows.map((r) => {
      const o: JsonObject = {};
      columns.forEach((c, i) => {
        const v = r[i] ?? '';
        if (!memberTable || pyStr(v) !== '') o[c] = v;
      });
      return o;
    });
    return fmt === 'json' ? pyJson(objects) + '\n' : blockYaml(objects) + '\n';
  }
  let cols = columns;
  let cells = rows.map((r) => [...r]);
  const listCluster = memberTable && columns[0] === 'Cluster';
  const tagsAt = listCluster ? columns.indexOf('Tags') : -1;
  if (tagsAt >= 0) {
    for (const r of cells) {
      const tags = r[tagsAt];
      if (tags !== null && typeof tags === 'object' && Object.keys(tags).length > 0) {
        r[tagsAt] = (fmt === 'pretty' ? blockYaml(tags) : flowYaml(tags)).trim();
      }
    }
  }
  if (listCluster && fmt !== 'tsv') {
    cols = cols.slice(1);
    cells = cells.map((r) => r.slice(1));
  }
  const text = cells.map((r) => r.map((c) => (c === '' ? '' : pyStr(c))));
  if (fmt === 'tsv') {
    const delim = opts.delimiter ?? '\t';
    return [cols, ...text].map((r) => r.join(delim)).join('\n') + '\n';
  }
  return prettyTable(cols, text, opts.align ?? {}, opts.title);
}
