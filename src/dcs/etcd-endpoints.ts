// What both etcd clients (v2 keys, v3 gateway) do with their nodes, as Patroni's AbstractEtcd does:
// one current endpoint, the next one after a failure, the list refreshed by discovery, and the retry
// policy of AbstractEtcd.retry: other nodes are tried at once, a whole failed round costs a growing
// pause, and the operation gives up (DcsError) when the next pause would pass the deadline.
import type http from 'node:http';
import { log } from '../log/logger.js';
import { sleep } from '../util/timers.js';
import { DcsError } from './dcs.js';
import { ConnectionError, makeAgent, type TlsFiles } from './etcd3-http.js';
import { reseeded, type Reseed } from './srv-discovery.js';

/** An answer worth another attempt after a pause, on another node when `switchNode`. */
export class Retryable extends Error {
  constructor(
    message: string,
    readonly switchNode: boolean,
  ) {
    super(message);
  }
}

export interface EndpointOptions {
  protocol: 'http' | 'https';
  tls?: TlsFiles;
  /** Seconds. */
  retryTimeout: number;
  useProxies?: boolean;
  /** The configured source again after a whole round failed (DNS SRV, srv-discovery.ts). */
  reseed?: Reseed;
}

export abstract class EtcdEndpoints {
  protected endpoints: string[];
  private current = 0;
  protected retryTimeout: number;
  /** Keep-alive agent for one-shot requests. */
  protected readonly agent: http.Agent;

  /** `label`: how log lines name the client; `jitterMs`: the random part of a pause. */
  private readonly source: Pick<EndpointOptions, 'reseed' | 'useProxies'>;

  constructor(
    endpoints: string[],
    opts: EndpointOptions,
    private readonly label: string,
    private readonly jitterMs: number,
  ) {
    this.source = { reseed: opts.reseed, useProxies: opts.useProxies };
    this.endpoints = [...new Set(endpoints)];
    if (this.endpoints.length === 0) throw new Error(`${label}: no hosts configured`);
    this.agent = makeAgent(opts.protocol, opts.tls ?? {}, true);
    this.retryTimeout = opts.retryTimeout;
  }

  /** Absolute deadline (ms since epoch) for one DCS operation. */
  deadline(): number {
    return Date.now() + this.retryTimeout * 1000;
  }

  get endpoint(): string {
    return this.endpoints[this.current] ?? this.endpoints[0] ?? '';
  }

  /** One request's share of the retry budget: every node gets a chance before the deadline. */
  protected requestTimeout(deadline: number): number {
    const share = Math.max(1000, (this.retryTimeout * 1000) / this.endpoints.length);
    return Math.max(500, Math.min(share, deadline - Date.now()));
  }

  protected switchEndpoint(): void {
    if (this.endpoints.length < 2) {
      this.onSwitch(false);
      return;
    }
    this.current = (this.current + 1) % this.endpoints.length;
    log.info('Switching %s endpoint to %s', this.label, this.endpoint);
    this.onSwitch(true);
  }

  /** A request failed on the current node: `moved` when requests go to another node now (false: the only one). */
  protected onSwitch(_moved: boolean): void {}

  /** Discovery found these client URLs: use them, staying on the current node when it is among them. */
  protected useDiscovered(urls: string[]): void {
    const current = this.endpoint;
    this.endpoints = [...new Set(urls)];
    this.current = Math.max(0, this.endpoints.indexOf(current));
  }

  /** Patroni's `_load_machines_cache` after every node failed: the configured source (DNS SRV) again. */
  private async reseed(): Promise<void> {
    const found = await this.source.reseed?.().catch(() => undefined);
    if (!found?.length) return;
    this.endpoints = reseeded(this.endpoints, found, this.source.useProxies === true);
    this.current = 0;
    this.onReseed();
  }

  /** The endpoint list was replaced from the configured source: discover members again, follow with the watch. */
  protected onReseed(): void {}

  /** Run `attempt` until it answers, a refusal is thrown, or the deadline passes (DcsError naming `what`). */
  protected async retrying<T>(what: string, deadline: number, attempt: () => Promise<T>): Promise<T> {
    let delay = 100;
    let switchesInRow = 0;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof Retryable || e instanceof ConnectionError)) throw e;
        log.debug('%s on %s failed: %s', what, this.endpoint, e.message);
        const switchNode = e instanceof ConnectionError || e.switchNode;
        if (switchNode) {
          this.switchEndpoint();
          if (++switchesInRow < this.endpoints.length) continue;
        }
        switchesInRow = 0;
        if (switchNode) await this.reseed();
        const pause = Math.min(delay, 1000) + Math.random() * this.jitterMs;
        delay *= 2;
        if (Date.now() + pause >= deadline) throw new DcsError(`${what} failed: ${e.message}`);
        await sleep(pause);
      }
    }
  }
}
