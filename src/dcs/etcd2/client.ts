// etcd v2 HTTP client (`/v2/keys`): endpoint list with discovery from `/v2/members`, basic auth,
// TLS, and the retry policy of Patroni's AbstractEtcd.retry (deadline = retry_timeout). Refusals
// surface as Etcd2Refusal, an unreachable cluster as DcsError.
import http from 'node:http';
import https from 'node:https';
import { log } from '../../log/logger.js';
import { DcsError } from '../dcs.js';
import { ConnectionError, makeAgent, type TlsFiles } from '../etcd3-http.js';
import { reseeded, type Reseed } from '../srv-discovery.js';
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
  /** The configured source again after a whole round failed (DNS SRV, src/dcs/srv-discovery.ts). */
  reseed?: Reseed;
}

type Params = Record<string, string | number | boolean | undefined>;
export type OkReply = Extract<Etcd2Reply, { kind: 'ok' }>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function encode(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
}

/** Percent-encode each path segment of a key (member names may hold any character). */
export function keyUrlPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export class Etcd2Client {
  private endpoints: string[];
  private current = 0;
  private nextDiscovery = 0;
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  private retryTimeout: number;
  private watchRequest: http.ClientRequest | undefined;
  private watchAborted = false;

  constructor(private readonly opts: Etcd2ClientOptions) {
    this.endpoints = [...new Set(opts.endpoints)];
    if (this.endpoints.length === 0) throw new Error('etcd: no hosts configured');
    this.agent = makeAgent(opts.protocol, opts.tls ?? {}, true);
    this.watchAgent = makeAgent(opts.protocol, opts.tls ?? {}, true);
    this.retryTimeout = opts.retryTimeout;
  }

  setRetryTimeout(seconds: number): void {
    this.retryTimeout = seconds;
  }

  deadline(): number {
    return Date.now() + this.retryTimeout * 1000;
  }

  get endpoint(): string {
    return this.endpoints[this.current] ?? this.endpoints[0] ?? '';
  }

  private headers(): Record<string, string> {
    if (this.opts.username === undefined) return {};
    const token = Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${token}` };
  }

  /** One raw exchange; resolves with any HTTP answer, rejects with ConnectionError when there is none. */
  private exchange(
    url: string, method: string, body: string | undefined, timeoutMs: number, agent = this.agent,
    onRequest?: (req: http.ClientRequest) => void,
  ): Promise<{ status: number; body: string; etcdIndex: string | undefined }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...this.headers() };
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      let req: http.ClientRequest;
      try {
        req = (url.startsWith('https:') ? https : http).request(url, { method, agent, headers });
      } catch (e) {
        reject(new ConnectionError(String(e)));
        return;
      }
      onRequest?.(req);
      const timer = setTimeout(() => req.destroy(new ConnectionError(`request to ${url} timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e instanceof ConnectionError ? e : new ConnectionError(`${url}: ${e.message}`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(new ConnectionError(`${url}: ${e.message}`));
        });
        res.on('end', () => {
          clearTimeout(timer);
          const idx = res.headers['x-etcd-index'];
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), etcdIndex: typeof idx === 'string' ? idx : undefined });
        });
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  private requestTimeout(deadline: number): number {
    const share = Math.max(1000, (this.retryTimeout * 1000) / this.endpoints.length);
    return Math.max(500, Math.min(share, deadline - Date.now()));
  }

  /**
   * `/v2/keys<key>` with retries on other nodes until the deadline. GET and DELETE carry the
   * parameters in the query, PUT in a form body (as python-etcd does).
   */
  async keys(method: 'GET' | 'PUT' | 'DELETE', key: string, params: Params, deadline = this.deadline()): Promise<OkReply> {
    let delay = 100;
    let switchesInRow = 0;
    for (;;) {
      let reason: string;
      try {
        await this.discover(deadline);
        const query = method === 'PUT' ? '' : encode(params);
        const url = `${this.endpoint}/v2/keys${keyUrlPath(key)}${query ? `?${query}` : ''}`;
        const r = await this.exchange(url, method, method === 'PUT' ? encode(params) : undefined, this.requestTimeout(deadline));
        const c = classifyReply(r.status, r.body, r.etcdIndex);
        if (c.kind === 'ok') return c;
        if (c.kind === 'refused') throw c.error;
        reason = c.reason;
      } catch (e) {
        if (!(e instanceof ConnectionError)) throw e;
        reason = e.message;
      }
      log.debug('etcd %s %s on %s failed: %s', method, key, this.endpoint, reason);
      this.switchEndpoint();
      if (++switchesInRow < this.endpoints.length) continue;
      switchesInRow = 0;
      await this.reseed();
      const pause = Math.min(delay, 1000) + Math.random() * 500;
      delay *= 2;
      if (Date.now() + pause >= deadline) throw new DcsError(`etcd ${method} ${key} failed: ${reason}`);
      await sleep(pause);
    }
  }

  /**
   * One long poll for the next change under `key` from `waitIndex` (no retries: the watcher
   * decides). Resolves with the classified answer; a silent timeout resolves undefined.
   */
  async waitOnce(key: string, waitIndex: string, timeoutMs: number): Promise<Etcd2Reply | undefined> {
    const url = `${this.endpoint}/v2/keys${keyUrlPath(key)}?${encode({ wait: true, recursive: true, waitIndex })}`;
    try {
      const r = await this.exchange(url, 'GET', undefined, timeoutMs, this.watchAgent, (req) => { this.watchRequest = req; });
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

  private switchEndpoint(): void {
    if (this.endpoints.length < 2) return;
    this.current = (this.current + 1) % this.endpoints.length;
    log.info('Switching etcd endpoint to %s', this.endpoint);
  }

  private async reseed(): Promise<void> {
    const found = await this.opts.reseed?.().catch(() => undefined);
    if (!found?.length) return;
    this.endpoints = reseeded(this.endpoints, found, this.opts.useProxies);
    this.current = 0;
    this.nextDiscovery = 0;
  }

  /** Refresh the endpoint list from `/v2/members` every 5 minutes (Patroni's machines cache). */
  private async discover(deadline: number): Promise<void> {
    if (this.opts.useProxies || Date.now() < this.nextDiscovery) return;
    this.nextDiscovery = Date.now() + 300_000;
    try {
      const r = await this.exchange(`${this.endpoint}/v2/members`, 'GET', undefined, this.requestTimeout(deadline));
      const urls = r.status === 200 ? clientUrlsOf(r.body) : [];
      if (urls.length === 0) return;
      const current = this.endpoint;
      this.endpoints = urls;
      this.current = Math.max(0, urls.indexOf(current));
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
