// etcd v3 gateway client: endpoint list and topology discovery, API prefix discovery, auth token, and
// the retry policy of Patroni's AbstractEtcd.retry (deadline = retry_timeout). Refusals surface as
// EtcdClientError, an unreachable cluster as DcsError.
import type http from 'node:http';
import { log } from '../log/logger.js';
import { trace } from '../util/trace.js';
import { isObject, type JsonObject } from '../util/json.js';
import { EtcdEndpoints, Retryable } from './etcd-endpoints.js';
import type { Reseed } from './srv-discovery.js';
import { apiPrefixFor, classifyReply, EtcdClientError } from './etcd3-errors.js';
import { ConnectionError, httpRequest, httpStream, makeAgent, type StreamHandle, type TlsFiles } from './etcd3-http.js';

export interface Etcd3ClientOptions {
  hosts: string[];
  protocol: 'http' | 'https';
  username?: string;
  password?: string;
  tls?: TlsFiles;
  useProxies?: boolean;
  /**
   * Learn the other etcd members from `/cluster/member/list` (a daemon outlives topology changes).
   * A one-shot command (patronictl) skips it: one round trip less, and no switch to advertised
   * client URLs (often `localhost`) that the configured ones already reach.
   */
  discoverMembers?: boolean;
  /** Seconds. */
  retryTimeout: number;
  ttl: number;
  reseed?: Reseed;
}

function toBaseUrl(host: string, protocol: string): string {
  const h = host.trim().replace(/\/+$/, '');
  return /^[a-z]+:\/\//i.test(h) ? h : `${protocol}://${h}`;
}

export class Etcd3Client extends EtcdEndpoints {
  /** The gateway prefix; '/v3' is assumed (etcd >= 3.4) until a 404 sends us to GET /version. */
  private prefix: string | undefined;
  private token: string | undefined;
  private authDisabled = false;
  private nextDiscovery = 0;
  private readonly raftTerms = new Map<string, bigint>();
  private readonly streamAgent: http.Agent;
  private ttl: number;
  /** Called when requests move to another node (the watch must follow). */
  onEndpointSwitch: () => void = () => {};

  constructor(private readonly opts: Etcd3ClientOptions) {
    super(
      opts.hosts.map((h) => toBaseUrl(h, opts.protocol)),
      opts,
      'etcd3',
      800,
    );
    this.streamAgent = makeAgent(opts.protocol, opts.tls ?? {}, false);
    this.ttl = opts.ttl;
  }

  setTimeouts(retryTimeout: number, ttl: number): void {
    this.retryTimeout = retryTimeout;
    this.ttl = ttl;
  }

  /** One gateway RPC with retries until the deadline. */
  call(method: string, body: JsonObject, deadline = this.deadline()): Promise<JsonObject> {
    return this.retrying(`etcd3 ${method}`, deadline, async () => {
      await this.ensureReady(deadline);
      return this.attempt(method, body, deadline);
    });
  }

  private headers(): Record<string, string> {
    return this.token ? { authorization: this.token } : {};
  }

  private async attempt(method: string, body: JsonObject, deadline: number): Promise<JsonObject> {
    const url = `${this.endpoint}${this.prefix ?? '/v3'}${method}`;
    const reply = await httpRequest(url, this.agent, 'POST', JSON.stringify(body), this.headers(), this.requestTimeout(deadline));
    if (this.prefix === undefined) {
      // etcd 3.3 serves /v3beta only: learn the prefix from GET /version and ask again.
      if (reply.status === 404) {
        await this.detectPrefix(this.requestTimeout(deadline));
        return this.attempt(method, body, deadline);
      }
      if (reply.status === 200) this.prefix = '/v3';
    }
    const c = classifyReply(reply.status, reply.body, this.token !== undefined);
    switch (c.kind) {
      case 'ok':
        if (this.isStale(c.result)) throw new Retryable(`${this.endpoint} is stale (old raft term)`, true);
        return c.result;
      case 'refused':
        throw c.error;
      case 'switch':
        throw new Retryable(c.reason, true);
      case 'retry':
        throw new Retryable(c.reason, false);
      case 'reauth':
        if (!this.opts.username || this.authDisabled) throw new EtcdClientError(c.reason);
        this.token = undefined;
        throw new Retryable(c.reason, false);
    }
  }

  /** A node answering with a raft term lower than one already seen lags behind: don't trust it. */
  private isStale(result: JsonObject): boolean {
    const header = isObject(result.header) ? result.header : isObject(result.result) && isObject(result.result.header) ? result.result.header : undefined;
    if (!header || typeof header.cluster_id !== 'string' || typeof header.raft_term !== 'string' || !/^\d+$/.test(header.raft_term)) return false;
    const term = BigInt(header.raft_term);
    const seen = this.raftTerms.get(header.cluster_id);
    if (seen !== undefined && term < seen) return true;
    if (seen === undefined || term > seen) this.raftTerms.set(header.cluster_id, term);
    return false;
  }

  /**
   * A new node needs its own token. With one node (AbstractEtcdClientWithFailover._do_http_request) there
   * is nowhere to switch, but the watch is restarted all the same, so a frozen etcd is not read from a
   * stale cache as if it were up.
   */
  protected override onSwitch(moved: boolean): void {
    if (moved) this.token = undefined;
    this.onEndpointSwitch();
  }

  /** New endpoints from the configured source: a token and the member list for them, and the watch follows. */
  protected override onReseed(): void {
    this.nextDiscovery = 0;
    this.onSwitch(true);
  }

  /** API prefix, auth token and topology, each fetched when missing or due. */
  private async ensureReady(deadline: number): Promise<void> {
    const timeout = this.requestTimeout(deadline);
    // A daemon (watch stream, member list) and authentication need the real prefix up front; a
    // one-shot command assumes '/v3' and learns otherwise from a 404 (see attempt()).
    const wantsToken = this.opts.username !== undefined && this.opts.password !== undefined && !this.token && !this.authDisabled;
    if (!this.prefix && (wantsToken || this.opts.discoverMembers !== false)) await this.detectPrefix(timeout);
    if (wantsToken) await this.authenticate(timeout);
    if (this.opts.discoverMembers !== false && !this.opts.useProxies && Date.now() >= this.nextDiscovery) await this.discoverMembers(timeout);
  }

  private async detectPrefix(timeout: number): Promise<void> {
    const reply = await httpRequest(`${this.endpoint}/version`, this.agent, 'GET', undefined, {}, timeout);
    const c = classifyReply(reply.status, reply.body, false);
    if (c.kind !== 'ok') throw new Retryable(`GET /version: HTTP ${reply.status}`, true);
    this.prefix = apiPrefixFor(c.result);
    trace('etcd3 GET /version');
  }

  private async authenticate(timeout: number): Promise<void> {
    const body = JSON.stringify({ name: this.opts.username, password: this.opts.password });
    const reply = await httpRequest(`${this.endpoint}${this.prefix ?? '/v3'}/auth/authenticate`, this.agent, 'POST', body, {}, timeout);
    const c = classifyReply(reply.status, reply.body, false);
    if (c.kind === 'ok' && typeof c.result.token === 'string') {
      this.token = c.result.token;
    } else if (c.kind === 'refused' && c.error.message.includes('authentication is not enabled')) {
      this.authDisabled = true;
    } else if (c.kind === 'refused') {
      // Wrong credentials are not going to get better by retrying.
      throw c.error;
    } else {
      throw new Retryable(`authenticate: HTTP ${reply.status}`, c.kind === 'switch');
    }
  }

  private async discoverMembers(timeout: number): Promise<void> {
    this.nextDiscovery = Date.now() + this.ttl * 10_000;
    try {
      const reply = await httpRequest(`${this.endpoint}${this.prefix ?? '/v3'}/cluster/member/list`, this.agent, 'POST', '{}', this.headers(), timeout);
      const c = classifyReply(reply.status, reply.body, this.token !== undefined);
      trace('etcd3 member list');
      if (c.kind !== 'ok' || !Array.isArray(c.result.members)) return;
      const urls = c.result.members
        .flatMap((m) => (isObject(m) && Array.isArray(m.clientURLs) ? m.clientURLs : []))
        .filter((u): u is string => typeof u === 'string')
        .map((u) => u.replace(/\/+$/, ''));
      if (urls.length > 0) this.useDiscovered(urls);
    } catch (e) {
      if (e instanceof ConnectionError) throw e;
      log.debug('etcd3 member discovery failed: %s', String(e));
    }
  }

  /** Open the watch stream on the current node (call() something first so the prefix is known). */
  openStream(method: string, body: JsonObject, onObject: (text: string) => void): StreamHandle {
    const url = `${this.endpoint}${this.prefix ?? '/v3'}${method}`;
    return httpStream(url, this.streamAgent, JSON.stringify(body), this.headers(), onObject, Math.max(1000, this.ttl * 500));
  }

  close(): void {
    this.agent.destroy();
    this.streamAgent.destroy();
  }
}
