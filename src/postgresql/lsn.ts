// PostgreSQL WAL positions: text `X/Y` (two hex halves) <-> absolute byte offsets as Patroni publishes them.
// Byte offsets stay below 2^53 for any realistic cluster, so plain numbers are exact.

const HALF = 0x1_0000_0000;

/** `16/B374D848` -> bytes; null for anything that is not an LSN. */
export function parseLsn(text: string): number | null {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) return null;
  return Number.parseInt(m[1] as string, 16) * HALF + Number.parseInt(m[2] as string, 16);
}

/** bytes -> `%X/%X` (upper-case hex, no padding), as pg_lsn prints. */
export function formatLsn(bytes: number): string {
  const hi = Math.floor(bytes / HALF);
  const lo = bytes - hi * HALF;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}
