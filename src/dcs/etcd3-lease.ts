// This node's etcd lease: the leader and member keys are bound to it, so they vanish `ttl` seconds
// after the node stops refreshing. Granted on first need, kept alive at most once per loop_wait.
import { log } from '../log/logger.js';
import { isObject } from '../util/json.js';
import type { Etcd3Client } from './etcd3-client.js';
import { LeaseNotFound } from './etcd3-errors.js';

export class LeaseKeeper {
  private id: string | undefined;
  private lastRefresh = 0;
  /** Serializes grant/keepalive so concurrent callers never grant two leases. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: Pick<Etcd3Client, 'call'>, private ttl: number, private loopWait: number) {}

  get lease(): string | undefined {
    return this.id;
  }

  /** Forget the lease (ttl changed, or etcd said it is gone): the next refresh grants a new one. */
  drop(): void {
    this.id = undefined;
  }

  setTimeouts(ttl: number, loopWait: number): void {
    if (ttl !== this.ttl) this.drop();
    this.ttl = ttl;
    this.loopWait = loopWait;
  }

  /** Keepalive (or grant) unless done within the last loop_wait; `force` always refreshes. Returns the lease id. */
  refresh(force: boolean, deadline: number): Promise<string> {
    const run = this.chain.then(() => this.doRefresh(force, deadline));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async doRefresh(force: boolean, deadline: number): Promise<string> {
    if (!force && this.id && this.lastRefresh + this.loopWait * 1000 > Date.now()) return this.id;
    if (this.id) {
      try {
        const reply = await this.client.call('/lease/keepalive', { ID: this.id }, deadline);
        const result = isObject(reply.result) ? reply.result : reply;
        // A lease that expired comes back without TTL.
        if (result.TTL === undefined || result.TTL === '0') {
          log.warning('Lease %s expired in etcd, granting a new one', this.id);
          this.id = undefined;
        }
      } catch (e) {
        if (!(e instanceof LeaseNotFound)) throw e;
        this.id = undefined;
      }
    }
    if (!this.id) {
      const reply = await this.client.call('/lease/grant', { TTL: this.ttl }, deadline);
      if (reply.ID === undefined) throw new Error(`lease grant returned no ID: ${JSON.stringify(reply)}`);
      this.id = String(reply.ID);
    }
    this.lastRefresh = Date.now();
    return this.id;
  }
}
