// Classification of etcd gateway answers (Patroni's _raise_for_data and the Etcd3ClientError
// subclasses in patroni/dcs/etcd3.py): what to retry, where, and what is a plain refusal. Pure, so
// the policy is unit-testable.
import { isObject, parseIntLoose, parseJson, type JsonObject } from '../util/json.js';

/** etcd answered and refused: the operation's result is `false`, not a DCS failure. */
export class EtcdClientError extends Error {
  override readonly name: string = 'EtcdClientError';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export class LeaseNotFound extends EtcdClientError {
  override readonly name = 'LeaseNotFound';
}

export type ReplyClass =
  | { kind: 'ok'; result: JsonObject }
  /** Node unusable (down, not leader, stale): switch endpoint and retry. */
  | { kind: 'switch'; reason: string }
  /** Transient on the same node: retry after backoff. */
  | { kind: 'retry'; reason: string }
  /** Token missing/expired: authenticate again, then retry. */
  | { kind: 'reauth'; reason: string }
  | { kind: 'refused'; error: EtcdClientError };

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;

const AUTH_RETRY_TEXTS = ['user name is empty', 'permission denied', 'invalid auth token', 'revision of auth store is old'];

export function classifyReply(status: number, body: string, hasToken: boolean): ReplyClass {
  const parsed = parseJson(body);
  if (status === 200 && isObject(parsed) && !('error' in parsed && parsed.code !== undefined)) {
    return { kind: 'ok', result: parsed };
  }
  const obj = isObject(parsed) ? parsed : {};
  const text = String(obj.error ?? obj.message ?? body).trim();
  const code = parseIntLoose(obj.code);
  if (code === undefined) {
    // Proxies and overloaded nodes answer 5xx without a gRPC body.
    return status >= 500 || status === 0 ? { kind: 'switch', reason: `HTTP ${status}: ${text}` } : { kind: 'refused', error: new EtcdClientError(text) };
  }
  if (code === GRPC_UNAVAILABLE || text.includes('not a primary lessor')) return { kind: 'switch', reason: text };
  // `permission denied` with a valid token is a real refusal; without one, we just need to log in.
  const authRetry = AUTH_RETRY_TEXTS.some((t) => text.includes(t) && (t !== 'permission denied' || !hasToken));
  if (authRetry) return { kind: 'reauth', reason: text };
  if (code === GRPC_DEADLINE_EXCEEDED || code === GRPC_FAILED_PRECONDITION) return { kind: 'retry', reason: text };
  if (text.includes('requested lease not found')) return { kind: 'refused', error: new LeaseNotFound(text, code) };
  return { kind: 'refused', error: new EtcdClientError(text, code) };
}

/** etcd 3.x gateway prefix from `GET /version` (cluster version wins; server as fallback). */
export function apiPrefixFor(versionReply: JsonObject): string {
  const pick = (v: unknown) => (typeof v === 'string' && /^\d+\.\d+/.test(v) ? v : undefined);
  const ver = pick(versionReply.etcdcluster) ?? pick(versionReply.etcdserver);
  if (!ver) throw new EtcdClientError(`Can not determine etcd version from ${JSON.stringify(versionReply)}`);
  const [major = 0, minor = 0] = ver.split('.').map((x) => Number.parseInt(x, 10));
  if (major < 3) throw new EtcdClientError(`Unsupported etcd version ${ver}`);
  if (major === 3 && minor < 3) return '/v3alpha';
  if (major === 3 && minor === 3) return '/v3beta';
  return '/v3';
}
