// Python's datetime.isoformat() for timestamps read back from the DCS: `T` separator, seconds always,
// microseconds only when non-zero, offset as ±HH:MM (`Z` becomes +00:00).
const ISO_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function pyIsoformat(raw: string | undefined, fallback?: Date): string {
  const m = raw ? ISO_RE.exec(raw.trim()) : null;
  if (!m) return fallback ? fromDate(fallback) : (raw ?? '');
  const [, date, hh, mm, ss = '00', frac, tz] = m;
  const micro = frac ? frac.padEnd(6, '0').slice(0, 6) : '';
  return `${date}T${hh}:${mm}:${ss}${micro && micro !== '000000' ? '.' + micro : ''}${tz ? offset(tz) : ''}`;
}

function offset(tz: string): string {
  if (tz.toUpperCase() === 'Z') return '+00:00';
  const digits = tz.slice(1).replace(':', '').padEnd(4, '0');
  return `${tz[0]}${digits.slice(0, 2)}:${digits.slice(2, 4)}`;
}

function fromDate(d: Date): string {
  const iso = d.toISOString(); // 2024-05-02T10:30:00.000Z
  const ms = d.getUTCMilliseconds();
  return iso.slice(0, 19) + (ms ? '.' + String(ms * 1000).padStart(6, '0') : '') + '+00:00';
}
