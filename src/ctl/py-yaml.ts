// PyYAML's safe_dump as patronictl calls it (sorted keys, width 200, allow_unicode): block style for
// show-config / edit-config / `-f yaml`, flow style for Tags cells. Hand-written because the yaml
// package quotes differently (YAML 1.1 `y`/`n`, `{ a }` spacing) and these texts are compared verbatim.
import type { Json } from '../util/json.js';

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP_RE =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

/** Would PyYAML emit this string without quotes? */
function plainOk(s: string, flow: boolean): boolean {
  if (BOOL_RE.test(s) || INT_RE.test(s) || FLOAT_RE.test(s) || NULL_RE.test(s) || TIMESTAMP_RE.test(s)) return false;
  if (s === '=' || s === '<<') return false;
  if (/^[#,[\]{}&*!|>'"%@`]/.test(s)) return false;
  if (/^[-?:](\s|$)/.test(s)) return false;
  if (/^\s|\s$/.test(s) || s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  if (flow && /[,?[\]{}]/.test(s)) return false;
  // Control characters and line breaks need a quoted style.
  return !/[\x00-\x1f\x7f\u0085\u2028\u2029]/.test(s);
}

function quoted(s: string): string {
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(s) || s.includes('\n')) return JSON.stringify(s);
  return `'${s.replace(/'/g, "''")}'`;
}

function scalar(v: Json, flow: boolean): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  if (typeof v === 'string') return plainOk(v, flow) ? v : quoted(v);
  return '';
}

const sortedEntries = (o: { [k: string]: Json }): [string, Json][] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function isEmptyCollection(v: Json): boolean {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
}

/** Flow style: `{a: 1, b: [x, y]}`. */
export function flowYaml(v: Json): string {
  if (Array.isArray(v)) return '[' + v.map(flowYaml).join(', ') + ']';
  if (v !== null && typeof v === 'object')
    return (
      '{' +
      sortedEntries(v)
        .map(([k, x]) => `${scalar(k, true)}: ${flowYaml(x)}`)
        .join(', ') +
      '}'
    );
  return scalar(v, true);
}

function blockLines(v: Json, indent: string): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      if (isEmptyCollection(item) || item === null || typeof item !== 'object') return [`${indent}- ${flowYaml(item)}`];
      const [first = '', ...rest] = blockLines(item, indent + '  ');
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
    });
  }
  if (v !== null && typeof v === 'object') {
    return sortedEntries(v).flatMap(([k, x]) => {
      const key = `${indent}${scalar(k, false)}:`;
      if (x === null || typeof x !== 'object' || isEmptyCollection(x)) return [`${key} ${typeof x === 'object' ? flowYaml(x) : scalar(x, false)}`];
      // PyYAML does not indent a sequence that is a mapping value.
      return [key, ...blockLines(x, Array.isArray(x) ? indent : indent + '  ')];
    });
  }
  return [`${indent}${scalar(v, false)}`];
}

/** Block style document text, ending with a newline (like yaml.safe_dump). */
export function blockYaml(v: Json): string {
  if (v === null || typeof v !== 'object' || isEmptyCollection(v)) {
    const text = typeof v === 'object' ? flowYaml(v) : scalar(v, false);
    // A lone plain scalar gets PyYAML's document end marker.
    return typeof v === 'object' && v !== null ? `${text}\n` : `${text}\n...\n`;
  }
  return blockLines(v, '').join('\n') + '\n';
}
