// JSON text exactly as Python's json.dumps writes it by default: `", "` / `": "` separators and every
// non-ASCII or control character escaped, because clients (and Patroni's own tests) compare raw text.
const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function pyString(s: string): string {
  // Python's ensure_ascii escapes anything outside printable ASCII (space..~), code unit by code unit.
  return '"' + s.replace(/["\\]|[^ -~]/g, (c) => ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return String(n);
}

/**
 * Serialise like Python `json.dumps(value)`. Accepts any plain JSON-shaped data (typed interfaces such as
 * NodeStatus included); `undefined` members are skipped like JSON.stringify does.
 */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return '[' + value.map((v: unknown) => pyJson(v)).join(', ') + ']';
  if (typeof value !== 'object') return 'null';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) parts.push(pyString(k) + ': ' + pyJson(v));
  }
  return '{' + parts.join(', ') + '}';
}
