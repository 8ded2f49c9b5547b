// Exhibitor (patroni/dcs/exhibitor.py): the ZooKeeper ensemble is read from Exhibitor's
// `/exhibitor/v1/cluster/list` ({"servers": [...], "port": N}) and polled every poll_interval;
// a changed ensemble moves the session to the new connection string. The rest is ZooKeeper.
import http from 'node:http';
import { log } from '../../log/logger.js';
import { isObject, parseIntLoose, parseJson } from '../../util/json.js';
import { ZooKeeper, type ZooKeeperOptions } from './zookeeper.js';

const URI_PATH = '/exhibitor/v1/cluster/list';
const TIMEOUT_MS = 3100;

/** Exhibitor's answer -> sorted `host:port` list, or undefined when it is not a cluster list. Pure. */
export function ensembleFrom(body: string): string[] | undefined {
  const json = parseJson(body);
  if (!isObject(json) || !Array.isArray(json.servers)) return undefined;
  const port = parseIntLoose(json.port);
  if (port === undefined) return undefined;
  const servers = json.servers.filter((s): s is string => typeof s === 'string' && s.length > 0);
  if (servers.length === 0) return undefined;
  return [...servers].sort().map((h) => `${h.includes(':') ? `[${h}]` : h}:${port}`);
}

function fetchList(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: URI_PATH, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8') : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Ask the known Exhibitors (in random order) until one answers with a cluster list. */
export async function queryExhibitors(hosts: string[], port: number): Promise<{ ensemble: string[]; exhibitors: string[] } | undefined> {
  const order = [...hosts].sort(() => Math.random() - 0.5);
  for (const host of order) {
    const body = await fetchList(host, port);
    const ensemble = body === undefined ? undefined : ensembleFrom(body);
    if (ensemble && body !== undefined) {
      const json = parseJson(body);
      const servers = isObject(json) && Array.isArray(json.servers) ? json.servers.filter((s): s is string => typeof s === 'string') : hosts;
      return { ensemble, exhibitors: servers };
    }
  }
  return undefined;
}

export interface ExhibitorOptions extends Omit<ZooKeeperOptions, 'hosts' | 'backend'> {
  exhibitors: string[];
  port: number;
  pollInterval: number;
}

export class Exhibitor extends ZooKeeper {
  private exhibitors: string[];
  private readonly configured: string[];
  private timer: NodeJS.Timeout | undefined;
  private ensemble = '';
  private closed = false;

  /** Until Exhibitor answers, there is no ensemble to connect to: operations fail as "DCS down". */
  constructor(private readonly xo: ExhibitorOptions) {
    super({ ...xo, hosts: [], backend: 'exhibitor' });
    this.configured = [...xo.exhibitors];
    this.exhibitors = [...xo.exhibitors];
    void this.firstPoll();
  }

  private async firstPoll(): Promise<void> {
    while (!this.closed && !(await this.poll())) {
      log.info('waiting on exhibitor');
      await new Promise<void>((r) => {
        this.timer = setTimeout(r, 2000);
      });
    }
    if (!this.closed) this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(
      () =>
        void this.poll().finally(() => {
          if (!this.closed) this.schedule();
        }),
      this.xo.pollInterval * 1000,
    );
  }

  /** ExhibitorEnsembleProvider.poll: the known exhibitors first, the configured ones as fallback. */
  async poll(): Promise<boolean> {
    const found = (await queryExhibitors(this.exhibitors, this.xo.port)) ?? (await queryExhibitors(this.configured, this.xo.port));
    if (!found || this.closed) return false;
    const joined = found.ensemble.join(',');
    if (joined === this.ensemble) return false;
    log.info('ZooKeeper connection string has changed: %s => %s', this.ensemble, joined);
    this.ensemble = joined;
    this.exhibitors = found.exhibitors;
    this.session.setHosts(found.ensemble);
    return true;
  }

  override async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await super.close();
  }
}
