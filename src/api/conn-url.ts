// Member.conn_kwargs of Patroni: host/port/dbname from a member's `conn_url` (postgres://host:port/db).
export interface ConnKwargs {
  host: string;
  port: number;
  dbname: string;
}

export function connKwargs(connUrl: string | undefined): ConnKwargs | null {
  if (!connUrl) return null;
  let url: URL;
  try {
    url = new URL(connUrl);
  } catch {
    return null;
  }
  // WHATWG keeps IPv6 brackets in hostname; Python's urlparse strips them.
  const host = decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (!host) return null;
  return { host, port: url.port ? Number(url.port) : 5432, dbname: decodeURIComponent(url.pathname.slice(1)) };
}
