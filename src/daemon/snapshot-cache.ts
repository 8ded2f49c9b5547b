// The REST API's PostgreSQL snapshot: shared by all requests, refreshed at most every `freshMs`
// (concurrent requests share one refresh). A caller says how old an answer it accepts: GET /patroni
// (peers comparing WAL positions in a leader race) waits for a refresh past `freshMs`; health checks
// accept an older one (stale-while-revalidate) so a busy load balancer never waits for PostgreSQL.
// A snapshot the HA cycle took (a new object in `current()`) counts as fresh from when it is first seen.

export interface SnapshotSource<T> {
  /** The newest snapshot anyone took (the HA cycle's or ours), if any. */
  current(): T | null;
  /** Takes a new one; the cache hands it to `store` first. */
  take(): Promise<T>;
  store(snapshot: T): void;
  now(): number;
}

export class SnapshotCache<T extends object> {
  private refreshing: Promise<T> | null = null;
  private refreshedAt = 0;
  private seen: T | null = null;

  constructor(
    private readonly src: SnapshotSource<T>,
    readonly freshMs: number,
  ) {}

  /** A snapshot at most `maxAgeMs` old (a refresh starts anyway once it is `freshMs` old). */
  async get(maxAgeMs: number): Promise<T> {
    const cached = this.src.current();
    if (cached && cached !== this.seen) {
      this.seen = cached;
      this.refreshedAt = this.src.now();
    }
    const age = this.src.now() - this.refreshedAt;
    if (cached && age < this.freshMs) return cached;
    const pending = this.refresh();
    if (cached && age < maxAgeMs) {
      pending.catch(() => undefined); // the next request that waits for a refresh sees the error
      return cached;
    }
    return pending;
  }

  private refresh(): Promise<T> {
    this.refreshing ??= this.src
      .take()
      .then((s) => {
        this.src.store(s);
        this.seen = s;
        this.refreshedAt = this.src.now();
        return s;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }
}
