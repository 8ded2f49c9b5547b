// Typed getters over the raw configuration document for normalisation: a value of the wrong type
// is a ConfigError naming the dotted key, never a TypeError further down.
import { isObject, parseBool, type Json, type JsonObject } from '../util/json.js';
import { ConfigError } from './errors.js';
import { parseIntWithUnit } from './units.js';

export class Section {
  constructor(
    readonly data: JsonObject,
    readonly path: string,
  ) {}

  static of(parent: JsonObject, key: string, parentPath = ''): Section {
    const v = parent[key];
    const path = parentPath ? `${parentPath}.${key}` : key;
    if (v === undefined || v === null) return new Section({}, path);
    if (!isObject(v)) throw new ConfigError(`${path} must be a mapping`);
    return new Section(v, path);
  }

  sub(key: string): Section {
    return Section.of(this.data, key, this.path);
  }

  keyPath(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    const v = this.data[key];
    return v !== undefined && v !== null;
  }

  /** Scalars are accepted as text (YAML may have typed `port: 5432` or `password: 1234`). */
  optStr(key: string): string | undefined {
    const v = this.data[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new ConfigError(`${this.keyPath(key)} must be a string`);
  }

  str(key: string, dflt?: string): string {
    const v = this.optStr(key);
    if (v !== undefined) return v;
    if (dflt !== undefined) return dflt;
    throw new ConfigError(`${this.keyPath(key)} is not defined.`);
  }

  int(key: string, dflt: number): number {
    const v = this.data[key];
    if (v === undefined || v === null) return dflt;
    const n = parseIntWithUnit(v);
    if (n === undefined) throw new ConfigError(`${this.keyPath(key)} must be an integer, got ${JSON.stringify(v)}`);
    return n;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.data[key];
    if (v === undefined || v === null) return dflt;
    const b = parseBool(v);
    if (b === undefined) throw new ConfigError(`${this.keyPath(key)} must be a boolean, got ${JSON.stringify(v)}`);
    return b;
  }

  optBool(key: string): boolean | undefined {
    return this.has(key) ? this.bool(key, false) : undefined;
  }

  strList(key: string, dflt: string[] = []): string[] {
    const v = this.data[key];
    if (v === undefined || v === null) return dflt;
    if (!Array.isArray(v)) throw new ConfigError(`${this.keyPath(key)} must be a list`);
    return v.map((item, i) => {
      if (typeof item === 'string' || typeof item === 'number') return String(item);
      throw new ConfigError(`${this.keyPath(key)}.${i} must be a string`);
    });
  }

  strMap(key: string): Record<string, string> {
    const sec = this.sub(key);
    const out: Record<string, string> = {};
    for (const k of Object.keys(sec.data)) {
      const v = sec.optStr(k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  raw(key: string): Json | undefined {
    return this.data[key];
  }
}

/** `host:port` with Python's split_host_port rules; the port must be numeric and in range. */
export function parseHostPort(value: string, key: string, defaultPort?: number): { host: string; port: number } {
  const cut = value.lastIndexOf(':');
  let host = cut >= 0 ? value.slice(0, cut) : value;
  const portText = cut >= 0 ? value.slice(cut + 1).trim() : undefined;
  if (host.includes(':'))
    host = host
      .split(',')
      .map((h) => h.trim().replace(/^\[+|\]+$/g, ''))
      .join(',');
  if (portText === undefined) {
    if (defaultPort === undefined) throw new ConfigError(`${key} ${value}: expected host:port`);
    return { host, port: defaultPort };
  }
  const port = /^[+-]?\d+$/.test(portText) ? Number.parseInt(portText, 10) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new ConfigError(`${key} ${value}: port must be a number in 1..65535`);
  return { host, port };
}
