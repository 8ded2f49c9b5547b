// Responses the route handlers return; server.ts turns them into bytes. A discriminated union so a
// handler cannot, say, attach a body to a status-only answer.
import type { IncomingHttpHeaders } from 'node:http';
import type { HistoryLine } from '../dcs/cluster.js';
import type { Json } from '../util/json.js';
import type { ClusterJson } from './cluster-json.js';
import type { DashboardState } from './dashboard/state.js';
import type { Query } from './health.js';
import type { NodeStatus } from './node-status.js';

export type JsonBody = Json | NodeStatus | ClusterJson | HistoryLine[] | DashboardState;

export type ApiResponse =
  /** `application/json`, Python json.dumps text. */
  /** `shared`: the body is an immutable object shared between requests, its serialisation is reused. */
  | { kind: 'json'; code: number; body: JsonBody; headers?: Record<string, string>; shared?: true }
  /** Prometheus exposition: `text/plain`. */
  | { kind: 'plain'; code: number; text: string }
  /** Plain messages: Patroni sends them as `text/html`. */
  | { kind: 'text'; code: number; text: string; headers?: Record<string, string> }
  /** Load-balancer probes: code only, empty body. */
  | { kind: 'status'; code: number }
  /** Python's send_error HTML page (`reason` overrides the standard phrase, e.g. for 501). */
  | { kind: 'error'; code: number; reason?: string };

export interface ApiRequest {
  method: string;
  path: string;
  query: Query;
  headers: IncomingHttpHeaders;
  /** Peer address, for allowlists. */
  remoteAddress: string;
  /** TLS with a client certificate that verified against restapi.cafile; false on plain HTTP. */
  clientCertValid: boolean;
  /** Body bytes; null when the request carries none. Rejects with BodyTooLarge past the size limit. */
  readBody(): Promise<Buffer | null>;
}
