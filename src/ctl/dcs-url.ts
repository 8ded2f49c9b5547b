// `--dcs-url [SCHEME://][HOST][:PORT][/NAMESPACE]` (ctl.parse_dcs) -> the DCS config section it means.
import type { JsonObject } from '../util/json.js';
import { CtlError } from './errors.js';

const DEFAULT_PORTS = { zookeeper: 2181, exhibitor: 8181, consul: 8500, etcd: 2379, etcd3: 2379 } as const;
type Scheme = keyof typeof DEFAULT_PORTS;

export interface DcsUrl {
  /** Config section name and its value, e.g. `etcd3: {host: "h:2379"}`. */
  section: Scheme;
  value: JsonObject;
  /** Path of the URL when it is not `/`: overrides `namespace`. */
  namespace?: string;
}

const isScheme = (s: string): s is Scheme => Object.hasOwn(DEFAULT_PORTS, s);

export function parseDcsUrl(url: string): DcsUrl {
  const m = /^(?:([^:/?#]*):)?\/\/([^/?#]*)([^?#]*)/.exec(url.includes('//') ? url : `//${url}`);
  const rawScheme = (m?.[1] ?? '').toLowerCase();
  const netloc = m?.[2] ?? '';
  const path = m?.[3] ?? '';
  const hostPort = netloc.slice(netloc.lastIndexOf('@') + 1);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  const host = (hp?.[1] ?? '').replace(/^\[(.*)\]$/, '$1').toLowerCase() || 'localhost';
  const port = hp?.[2] ? Number(hp[2]) : undefined;

  let scheme: Scheme;
  if (rawScheme === '') {
    const byPort = (['zookeeper', 'exhibitor', 'consul'] as const).find((s) => DEFAULT_PORTS[s] === port);
    scheme = byPort ?? 'etcd';
  } else if (isScheme(rawScheme)) scheme = rawScheme;
  else throw new CtlError(`Unknown dcs scheme: ${rawScheme}`);

  const p = port ?? DEFAULT_PORTS[scheme];
  const hostText = host.includes(':') ? `[${host}]` : host;
  const value: JsonObject =
    scheme === 'zookeeper' ? { hosts: [`${hostText}:${p}`] } : scheme === 'exhibitor' ? { hosts: [host], port: p } : { host: `${hostText}:${p}` };
  return path && path !== '/' ? { section: scheme, value, namespace: path } : { section: scheme, value };
}
