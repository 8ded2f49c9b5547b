// Hostile REST requests for `npm run chaos -- --hostile` (pure: a seeded rng in, raw request bytes
// out). Each request has a kind, so the report can say which kind of abuse got which answer.
import type { Rng } from '../rng.js';

export type HostileKind =
  | 'random-method'
  | 'random-path'
  | 'bad-headers'
  | 'garbage-body'
  | 'deep-json'
  | 'huge-json'
  | 'bad-credentials'
  | 'hostile-body-authorized'
  | 'huge-headers'
  | 'malformed-request-line'
  | 'huge-ttl'
  | 'tls-rogue-client-cert'
  | 'tls-garbage-handshake'
  | 'plain-http-to-tls';

export const HOSTILE_KINDS: readonly HostileKind[] = [
  'random-method',
  'random-path',
  'bad-headers',
  'garbage-body',
  'deep-json',
  'huge-json',
  'bad-credentials',
  'hostile-body-authorized',
  'huge-headers',
  'malformed-request-line',
  'huge-ttl',
];
/** Kinds about the TLS layer itself, sent only when the cluster's REST API speaks TLS. */
export const TLS_KINDS: readonly HostileKind[] = ['tls-rogue-client-cert', 'tls-garbage-handshake', 'plain-http-to-tls'];

/** How the request is carried: over the cluster's TLS, as plain TCP bytes, or with a client certificate the CA never signed. */
export type Carrier = 'normal' | 'plain' | 'rogue-client-cert';

export interface HostileRequest {
  kind: HostileKind;
  bytes: Buffer;
  carrier: Carrier;
}

export interface Credentials {
  username: string;
  password: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'BREW', 'PROPFIND', 'get', 'M-SEARCH'];
const PATHS = [
  '/',
  '/patroni',
  '/cluster',
  '/history',
  '/config',
  '/primary',
  '/leader',
  '/replica',
  '/read-only',
  '/standby-leader',
  '/sync',
  '/async',
  '/health',
  '/liveness',
  '/readiness',
  '/metrics',
  '/explain',
  '/failsafe',
  '/switchover',
  '/failover',
  '/restart',
  '/reload',
  '/reinitialize',
  '/mpp',
  '/citus',
  '/replica?lag=abc',
  '/replica?lag=99999999999999999999TB',
  '/read-only?tag_x=%ff%fe',
  '/%00',
  '/..%2f..%2fetc%2fpasswd',
  '/patroni?' + 'a=1&'.repeat(200),
  '/cluster/../../x',
];
/** Only bodies that must be refused are sent with valid credentials: nothing here may change the cluster. */
const REFUSED_BODIES: ReadonlyArray<[string, string, string]> = [
  ['PATCH', '/config', '[1, 2, 3]'],
  ['PUT', '/config', '"just a string"'],
  ['POST', '/switchover', '{"leader": 5, "candidate": {"a": 1}}'],
  ['POST', '/switchover', '{"leader": "no-such-member", "candidate": "nobody"}'],
  ['POST', '/failover', '{"candidate": ["x"]}'],
  ['POST', '/failover', '{"candidate": "no-such-member"}'],
  ['POST', '/restart', '{"schedule": "not a date"}'],
  ['POST', '/restart', '{"role": 42}'],
  ['POST', '/restart', '{"timeout": -5}'],
  ['POST', '/restart', '{"postgres_version": "banana"}'],
  ['POST', '/restart', '{"schedule": "1999-01-01T00:00:00+00:00"}'],
  ['DELETE', '/switchover', ''],
  ['DELETE', '/restart', ''],
];

export const basicAuth = (c: Credentials): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(0, 255);
  return b;
}

function randomToken(rng: Rng, n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_.~%';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

export function deepJson(depth: number, inner = '1'): string {
  return '{"a": '.repeat(depth) + inner + '}'.repeat(depth);
}

export function rawRequest(method: string, path: string, headers: Array<[string, string]>, body: Buffer | string = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const head = [`${method} ${path} HTTP/1.1`, 'Host: patroni', 'Connection: close', ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (b.length > 0 && !headers.some(([k]) => k.toLowerCase() === 'content-length')) head.push(`Content-Length: ${b.length}`);
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), b]);
}

export function hostileRequest(rng: Rng, good: Credentials, tls = false): HostileRequest {
  const kind = rng.pick(tls ? [...HOSTILE_KINDS, ...TLS_KINDS] : HOSTILE_KINDS);
  return {
    ...hostileBytes(rng, good, kind),
    carrier: kind === 'tls-rogue-client-cert' ? 'rogue-client-cert' : kind === 'tls-garbage-handshake' || kind === 'plain-http-to-tls' ? 'plain' : 'normal',
  };
}

function hostileBytes(rng: Rng, good: Credentials, kind: HostileKind): { kind: HostileKind; bytes: Buffer } {
  const json: Array<[string, string]> = [['Content-Type', 'application/json']];
  switch (kind) {
    case 'random-method':
      return { kind, bytes: rawRequest(rng.pick(METHODS), rng.pick(PATHS), []) };
    case 'random-path':
      return { kind, bytes: rawRequest('GET', `/${randomToken(rng, rng.int(0, 60))}`, []) };
    case 'bad-headers':
      return {
        kind,
        bytes: rawRequest(
          rng.pick(['POST', 'PATCH', 'GET']),
          rng.pick(PATHS),
          rng.pick<Array<[string, string]>>([
            [['Content-Length', '-1']],
            [['Content-Length', '99999999999']],
            [['Content-Length', 'abc']],
            [
              ['Transfer-Encoding', 'chunked'],
              ['Content-Length', '5'],
            ],
            [['Authorization', 'Basic %%%%']],
            [['Authorization', 'Bearer ' + 'x'.repeat(500)]],
            [['Content-Type', '\u00ff\u00fe']],
            [['X-Forwarded-For', '999.999.1.1']],
          ]),
        ),
      };
    case 'garbage-body':
      return { kind, bytes: rawRequest(rng.pick(['POST', 'PATCH', 'PUT']), rng.pick(PATHS), json, randomBytes(rng, rng.int(1, 4096))) };
    case 'deep-json':
      return { kind, bytes: rawRequest('PATCH', '/config', [...json, ['Authorization', basicAuth(good)]], deepJson(rng.int(150, 5000))) };
    case 'huge-json':
      // 100 kB is a legal config value for Patroni too, so /config only gets bodies past the 1 MiB limit.
      return rng.next() < 0.5
        ? { kind, bytes: rawRequest('PATCH', '/config', [...json, ['Authorization', basicAuth(good)]], `{"x": "${'A'.repeat(1_100_000)}"}`) }
        : {
            kind,
            bytes: rawRequest(
              'POST',
              rng.pick(['/switchover', '/restart']),
              [...json, ['Authorization', basicAuth(good)]],
              `{"x": "${'A'.repeat(rng.pick([100_000, 1_100_000]))}"}`,
            ),
          };
    case 'bad-credentials':
      return {
        kind,
        bytes: rawRequest(
          rng.pick(['POST', 'PATCH', 'PUT', 'DELETE']),
          rng.pick(['/config', '/switchover', '/failover', '/restart', '/reload', '/reinitialize']),
          [...json, ['Authorization', basicAuth({ username: good.username, password: randomToken(rng, 12) })]],
          '{"ttl": 1}',
        ),
      };
    case 'hostile-body-authorized': {
      const [method, path, body] = rng.pick(REFUSED_BODIES);
      return { kind, bytes: rawRequest(method, path, [...json, ['Authorization', basicAuth(good)]], body) };
    }
    case 'huge-headers':
      return { kind, bytes: rawRequest('GET', '/patroni', [['X-Big', 'y'.repeat(rng.int(17_000, 40_000))]]) };
    case 'malformed-request-line':
      return { kind, bytes: Buffer.concat([randomBytes(rng, rng.int(1, 200)), Buffer.from('\r\n\r\n')]) };
    case 'huge-ttl':
      // Accepted by Patroni too (PATCH /config does not check values): a ttl past Node's timer limit
      // must not stop the primary, values of the wrong type or range must be ignored or adjusted.
      return {
        kind,
        bytes: rawRequest(
          'PATCH',
          '/config',
          [...json, ['Authorization', basicAuth(good)]],
          rng.pick(['{"ttl": 3000000}', '{"ttl": "abc", "loop_wait": -3}', '{"retry_timeout": 1e300}', '{"loop_wait": 99999999999}']),
        ),
      };
    case 'tls-rogue-client-cert':
      // A certificate no CA of ours signed, on a read and on a write with wrong credentials.
      return {
        kind,
        bytes:
          rng.next() < 0.5
            ? rawRequest('GET', rng.pick(PATHS), [])
            : rawRequest('POST', '/reload', [['Authorization', basicAuth({ username: good.username, password: 'wrong' })]]),
      };
    case 'tls-garbage-handshake':
      // Bytes that start like a TLS record and then are not one.
      return { kind, bytes: Buffer.concat([Buffer.from([0x16, 0x03, 0x01, rng.int(0, 255), rng.int(0, 255)]), randomBytes(rng, rng.int(1, 2000))]) };
    case 'plain-http-to-tls':
      return { kind, bytes: rawRequest('GET', '/patroni', []) };
  }
}
