// Classification of etcd v2 answers (`/v2/keys`): what is a refusal (the operation's result is
// `false`), what to retry on another node, and what means "the watch must re-read". Pure.
import { isObject, parseIntLoose, parseJson, type JsonObject } from '../../util/json.js';

/** etcd v2 error codes Patroni's lock protocol depends on (etcd's error/error.go). */
export const Etcd2Code = {
  KeyNotFound: 100,
  TestFailed: 101,
  NodeExist: 105,
  Unauthorized: 110,
  RaftInternal: 300,
  LeaderElect: 301,
  WatcherCleared: 400,
  EventIndexCleared: 401,
} as const;

/** etcd answered and refused (compare failed, key exists / missing, bad credentials). */
export class Etcd2Refusal extends Error {
  override readonly name = 'Etcd2Refusal';
  /** etcd's index when it refused (the error body's `index`): a watch started from it misses nothing. */
  constructor(
    message: string,
    readonly code: number,
    readonly index?: string,
  ) {
    super(message);
  }
}

/** A key as etcd v2 returns it (directories carry `nodes`). */
export interface Etcd2Node {
  key: string;
  value?: string;
  dir: boolean;
  nodes: Etcd2Node[];
  modifiedIndex: string;
  ttl?: number;
}

export type Etcd2Reply =
  | { kind: 'ok'; action: string; node: Etcd2Node | undefined; prevNode: Etcd2Node | undefined; etcdIndex: string | undefined }
  | { kind: 'refused'; error: Etcd2Refusal }
  /** The watch history no longer holds the index asked for: read everything again. */
  | { kind: 'cleared'; reason: string }
  /** This node cannot serve now (down, electing, proxy error): try another one. */
  | { kind: 'switch'; reason: string };

export function nodeFromJson(v: unknown): Etcd2Node | undefined {
  if (!isObject(v) || typeof v.key !== 'string') return undefined;
  const node: Etcd2Node = {
    key: v.key,
    dir: v.dir === true,
    nodes: Array.isArray(v.nodes) ? v.nodes.map(nodeFromJson).filter((n): n is Etcd2Node => n !== undefined) : [],
    modifiedIndex: String(parseIntLoose(v.modifiedIndex) ?? 0),
  };
  if (typeof v.value === 'string') node.value = v.value;
  const ttl = parseIntLoose(v.ttl);
  if (ttl !== undefined) node.ttl = ttl;
  return node;
}

/** Every leaf key below (and including) `node`, depth first. */
export function flattenNodes(node: Etcd2Node | undefined): Etcd2Node[] {
  if (!node) return [];
  return node.dir ? node.nodes.flatMap(flattenNodes) : [node];
}

export function classifyReply(status: number, body: string, etcdIndex: string | undefined): Etcd2Reply {
  const parsed = parseJson(body);
  const obj: JsonObject = isObject(parsed) ? parsed : {};
  if (status >= 200 && status < 300 && isObject(parsed) && parsed.errorCode === undefined) {
    return {
      kind: 'ok',
      action: typeof obj.action === 'string' ? obj.action : '',
      node: nodeFromJson(obj.node),
      prevNode: nodeFromJson(obj.prevNode),
      etcdIndex,
    };
  }
  const code = parseIntLoose(obj.errorCode);
  const text = [obj.message, obj.cause].filter((s) => typeof s === 'string' && s).join(' ') || body.trim() || `HTTP ${status}`;
  if (code === undefined) {
    // Proxies and overloaded nodes answer 5xx without an etcd body.
    return status >= 500 || status === 0 ? { kind: 'switch', reason: `HTTP ${status}: ${text}` } : { kind: 'refused', error: new Etcd2Refusal(text, 0) };
  }
  if (code === Etcd2Code.WatcherCleared || code === Etcd2Code.EventIndexCleared) return { kind: 'cleared', reason: text };
  if (code >= 300 && code < 400) return { kind: 'switch', reason: text };
  const index = parseIntLoose(obj.index);
  return { kind: 'refused', error: new Etcd2Refusal(text, code, index === undefined ? etcdIndex : String(index)) };
}

/** `/v2/members` reply -> client URLs (cluster discovery, as Patroni's `_get_machines_list`). */
export function clientUrlsOf(body: string): string[] {
  const parsed = parseJson(body);
  if (!isObject(parsed) || !Array.isArray(parsed.members)) return [];
  const urls = parsed.members.flatMap((m) => (isObject(m) && Array.isArray(m.clientURLs) ? m.clientURLs : []));
  return [...new Set(urls.filter((u): u is string => typeof u === 'string').map((u) => u.replace(/\/+$/, '')))];
}
