// Access control for unsafe endpoints (rest-api.md §2). Basic auth only for now; allowlist and client
// certificate checks slot in here with the write endpoints.
import { timingSafeEqual } from 'node:crypto';
import type { RestApiConfig } from '../config/types.js';
import type { ApiRequest, ApiResponse } from './response.js';

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Patroni"' };

/** null when the request may proceed, else the refusal to send. */
export function checkAccess(req: ApiRequest, cfg: RestApiConfig): ApiResponse | null {
  const auth = cfg.authentication;
  if (!auth) return null;
  const header = req.headers.authorization;
  if (!header) return { kind: 'text', code: 401, text: 'no auth header received', headers: CHALLENGE };
  const expected = Buffer.from(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  const m = /^Basic (.*)$/.exec(header);
  const given = Buffer.from(m?.[1] ?? '');
  const good = m !== null && given.length === expected.length && timingSafeEqual(given, expected);
  return good ? null : { kind: 'text', code: 401, text: 'not authenticated', headers: CHALLENGE };
}
