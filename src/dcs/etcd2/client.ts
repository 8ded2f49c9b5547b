// etcd v2 HTTP client (`/v2/keys`): endpoint list with discovery from `/v2/members`, basic auth,
// TLS, and the retry policy of Patroni's AbstractEtcd.retry (deadline = retry_timeout). Refusals
// surface as Etcd2Refusal, an unreachable cluster as DcsError.
import type http from 'node:http';
import { log } from '../../log/logger.js';
import { EtcdEndpoints, Retryable } from '../etcd-endpoints.js';
import type { Reseed } from '../srv-discovery.js';
import { ConnectionError, httpRequest, makeAgent, type TlsFiles } from '../etcd3-http.js';
import { classifyReply, clientUrlsOf, type Etcd2Reply } from './errors.js';

export interface Etcd2ClientOptions {
  /** Base URLs (scheme://host:port). */
  endpoints: string[];
  protocol: 'http' | 'https';
  username?: string;
  password?: string;
  tls?: TlsFiles;
  /** Talk only to the given endpoints (proxy / use_proxies): no discovery. */
  useProxies: boolean;
  retryTimeout: number;
  reseed?: Reseed;
}

type Params = Record<string, string | number | boolean | undefined>;
export type OkReply = Extract<Etcd2Reply, { kind: 'ok' }>;

function encode(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
}

/** Percent-encode each path segment of a key (member names may hold any character). */
export function keyUrlPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export class Etcd2Client extends EtcdEndpoints {
  private nextDiscovery = 0;
  private readonly watchAgent: http.Agent;
  private watchRequest: http.ClientRequest | undefined;
  private watchAborted = false;

  constructor(private readonly opts: Etcd2ClientOptions) {
    super(opts.endpoints, opts, 'etcd', 500);
    this.watchAgent = makeAgent(opts.protocol, opts.tls ?? {}, true);
  }

  setRetryTimeout(seconds: number): void {
    this.retryTimeout = seconds;
  }

  private headers(form: boolean): Record<string, string> {
    const h: Record<string, string> = form ? { 'content-type': 'application/x-www-form-urlencoded' } : {};
    if (this.opts.username === undefined) return h;
    const token = Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64');
    return { ...h, authorization: `Basic ${token}` };
  }

  /** One raw exchange; resolves with any HTTP answer, rejects with ConnectionError when there is none. */
  private async exchange(
    url: string,
    method: string,
    body: string | undefined,
    timeoutMs: number,
    agent = this.agent,
    onRequest?: (req: http.ClientRequest) => void,
  ): Promise<{ status: number; body: string; etcdIndex: string | undefined }> {
    const r = await httpRequest(url, agent, method, body, this.headers(body !== undefined), timeoutMs, onRequest);
    const idx = r.headers['x-etcd-index'];
    return { status: r.status, body: r.body, etcdIndex: typeof idx === 'string' ? idx : undefined };
  }

  /**
   * `/v2/keys<key>` with retries on other nodes until the deadline. GET and DELETE carry the
   * parameters in the query, PUT in a form body (as python-etcd does).
   */
  keys(method: 'GET' | 'PUT' | 'DELETE', key: string, params: Params, deadline = this.deadline()): Promise<OkReply> {
    return this.retrying(`etcd ${method} ${key}`, deadline, async () => {
      await this.discover(deadline);
      const query = method === 'PUT' ? '' : encode(params);
      const url = `${this.endpoint}/v2/keys${keyUrlPath(key)}${query ? `?${query}` : ''}`;
      const r = await this.exchange(url, method, method === 'PUT' ? encode(params) : undefined, this.requestTimeout(deadline));
      const c = classifyReply(r.status, r.body, r.etcdIndex);
      if (c.kind === 'ok') return c;
      if (c.kind === 'refused') throw c.error;
      throw new Retryable(c.reason, true);
    });
  }

  /**
   * One long poll for the next change under `key` from `waitIndex` (no retries: the watcher
   * decides). Resolves with the classified answer; a silent timeout resolves undefined.
   */
  async waitOnce(key: string, waitIndex: string, timeoutMs: number): Promise<Etcd2Reply | undefined> {
    const url = `${this.endpoint}/v2/keys${keyUrlPath(key)}?${encode({ wait: true, recursive: true, waitIndex })}`;
    try {
      const r = await this.exchange(url, 'GET', undefined, timeoutMs, this.watchAgent, (req) => {
        this.watchRequest = req;
      });
      return classifyReply(r.status, r.body, r.etcdIndex);
    } catch (e) {
      if (this.watchAborted) {
        this.watchAborted = false;
        return undefined;
      }
      if (e instanceof ConnectionError && e.message.includes('timed out')) return undefined;
      this.switchEndpoint();
      throw e;
    }
  }

  /** Cut the pending long poll short (stop, or the view must be re-read now). */
  abortWatch(): void {
    if (!this.watchRequest || this.watchRequest.destroyed) return;
    this.watchAborted = true;
    this.watchRequest.destroy();
  }

  protected override onReseed(): void {
    this.nextDiscovery = 0;
  }

  /** Refresh the endpoint list from `/v2/members` every 5 minutes (Patroni's machines cache). */
  private async discover(deadline: number): Promise<void> {
    if (this.opts.useProxies || Date.now() < this.nextDiscovery) return;
    this.nextDiscovery = Date.now() + 300_000;
    try {
      const r = await this.exchange(`${this.endpoint}/v2/members`, 'GET', undefined, this.requestTimeout(deadline));
      const urls = r.status === 200 ? clientUrlsOf(r.body) : [];
      if (urls.length > 0) this.useDiscovered(urls);
    } catch (e) {
      this.nextDiscovery = 0;
      if (e instanceof ConnectionError) throw e;
      log.debug('etcd member discovery failed: %s', String(e));
    }
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}
