// JSON text exactly as Python's json.dumps writes it by default: `", "` / `": "` separators and every
// non-ASCII or control character escaped, because clients (and Patroni's own tests) compare raw text.
// Serialised with an explicit work stack, not recursion: a deeply nested value (from the DCS, say)
// must come out as text, never as a RangeError thrown in the middle of a response.
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

/** One step of work: literal text to emit, or a value still to serialise. */
type Work = { text: string } | { value: unknown };

function scalar(value: unknown): string | null {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  if (typeof value !== 'object') return 'null';
  return null;
}

/**
 * Serialise like Python `json.dumps(value)`. Accepts any plain JSON-shaped data (typed interfaces such as
 * NodeStatus included); `undefined` members are skipped like JSON.stringify does.
 */
export function pyJson(value: unknown): string {
  const out: string[] = [];
  const stack: Work[] = [{ value }];
  for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
    if ('text' in w) {
      out.push(w.text);
      continue;
    }
    const s = scalar(w.value);
    if (s !== null) {
      out.push(s);
      continue;
    }
    // Children are pushed in reverse so they pop in order.
    if (Array.isArray(w.value)) {
      const items: readonly unknown[] = w.value;
      out.push('[');
      stack.push({ text: ']' });
      for (let i = items.length - 1; i >= 0; i--) {
        stack.push({ value: items[i] });
        if (i > 0) stack.push({ text: ', ' });
      }
      continue;
    }
    const entries = Object.entries(w.value as object).filter(([, v]) => v !== undefined);
    out.push('{');
    stack.push({ text: '}' });
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i] as [string, unknown];
      stack.push({ value: v });
      stack.push({ text: pyString(k) + ': ' });
      if (i > 0) stack.push({ text: ', ' });
    }
  }
  return out.join('');
}
