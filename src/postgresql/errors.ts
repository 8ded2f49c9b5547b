// Errors that are part of normal operation for a PostgreSQL session: the server shut down,
// restarted or demoted under us, is still starting, or cannot be reached. Pure classifier, so the
// HA loop logs them as Patroni does ("Error communicating with PostgreSQL") and never as a bug.

/** SQLSTATEs of a session ended by the server: class 08 (connection exception) and these. */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03', '57P04', '53300', '25006']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const MESSAGES = [
  /^Connection terminated/,
  /Client has encountered a connection error and is not queryable/,
  /^timeout expired$/,
  /^Query read timeout$/,
  /^Client was closed and is not queryable$/,
  /^The server does not support SSL connections$/,
];

export function isSessionLoss(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && (code.startsWith('08') || SESSION_ENDED.has(code) || NODE_CODES.has(code))) return true;
  return MESSAGES.some((re) => re.test(e.message));
}
