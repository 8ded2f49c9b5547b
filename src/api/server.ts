// The REST API listener: HTTP/1.1 with keep-alive and Content-Length on every response (deliberately
// not Python's HTTP/1.0 framing), Patroni's paths, codes and bodies. Routing lives in routes.ts, the
// health decisions in health.ts; this file only does transport.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { RestApiConfig } from '../config/types.js';
import { log } from '../log/logger.js';
import { AccessControl, type Resolver } from './access.js';
import { BodyTooLarge } from './body.js';
import type { ApiContext } from './context.js';
import { errorPage, reasonPhrase } from './error-page.js';
import { healthCode, parseTarget } from './health.js';
import { pyJson } from '../util/py-json.js';
import type { ApiRequest, ApiResponse } from './response.js';
import { apiRoutes } from './routes.js';
import { routeKey, type RouteTable } from './routes/types.js';

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
/** Time to receive a whole request; slow handlers (switchover polling) are not limited by it. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Idle keep-alive connections are dropped after this, so idle clients cannot pile up. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Beyond this many open connections new ones are closed at once rather than exhausting memory. */
const MAX_CONNECTIONS = 1024;
const PYTHON_SERVER_TOKEN = 'BaseHTTP/0.6 Python/3.11.2';

export interface ApiServerHandle {
  address: { host: string; port: number };
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** Route table; defaults to every endpoint (apiRoutes()). */
  routes?: RouteTable;
  /** Host name resolution for allowlists (tests inject one). */
  resolver?: Resolver;
}

function serverToken(cfg: RestApiConfig, version: string): string {
  switch (cfg.server_tokens.toLowerCase()) {
    case 'productonly': return 'Patroni';
    case 'minimal': return `Patroni/${version}`;
    default: return PYTHON_SERVER_TOKEN;
  }
}

function extraHeaders(cfg: RestApiConfig): Record<string, string> {
  return cfg.certfile ? { ...cfg.http_extra_headers, ...cfg.https_extra_headers } : { ...cfg.http_extra_headers };
}

function send(res: ServerResponse, method: string, r: ApiResponse, cfg: RestApiConfig, ctx: ApiContext): void {
  if (r.kind === 'status') {
    res.writeHead(r.code, { 'Content-Length': '0' });
    res.end();
    return;
  }
  if (r.kind === 'error') {
    const reason = r.reason ?? reasonPhrase(r.code);
    const page = Buffer.from(errorPage(r.code, reason));
    res.writeHead(r.code, reason, { 'Content-Type': 'text/html;charset=utf-8', 'Content-Length': String(page.length) });
    res.end(method === 'HEAD' ? undefined : page);
    return;
  }
  const body = Buffer.from(r.kind === 'json' ? pyJson(r.body) : r.text);
  const type = r.kind === 'json' ? 'application/json' : r.kind === 'plain' ? 'text/plain' : 'text/html';
  res.writeHead(r.code, {
    Server: serverToken(cfg, ctx.version),
    ...(r.kind === 'plain' ? {} : r.headers ?? {}),
    'Content-Type': type,
    ...extraHeaders(cfg),
    'Content-Length': String(body.length),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge('request body too large'));
        req.pause();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Env { routes: RouteTable; cfg: RestApiConfig; ctx: ApiContext; access: AccessControl }

async function dispatch(req: ApiRequest, env: Env): Promise<ApiResponse> {
  const { ctx } = env;
  const { method, path, query } = req;
  const statusOnly = method === 'HEAD' || method === 'OPTIONS';
  const route = statusOnly ? undefined : env.routes.get(routeKey(method, path.split('/')[1] ?? ''));
  if (route) {
    const refused = await env.access.check(req, route.access, ctx.cachedCluster());
    return refused ?? route.handle(req, ctx);
  }
  if (method !== 'GET' && !statusOnly) return { kind: 'error', code: 501, reason: `Unsupported method ('${method}')` };
  const report = await ctx.nodeStatus();
  const d = ctx.dynamic();
  const code = healthCode(path, query, {
    status: report.status, latestEndLsn: report.latestEndLsn, cluster: ctx.cachedCluster(), isLeader: ctx.isLeader(),
    standbyCluster: d.standby_cluster !== null, tags: ctx.tags(),
  });
  return statusOnly ? { kind: 'status', code } : { kind: 'json', code, body: report.status };
}

function clientCertValid(socket: Socket): boolean {
  return socket instanceof TLSSocket && socket.authorized;
}

function handler(env: Env) {
  const { cfg, ctx } = env;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      res.shouldKeepAlive = false;
      send(res, method, { kind: 'error', code: 413 }, cfg, ctx);
      return;
    }
    const { path, query } = parseTarget(req.url ?? '/');
    const apiReq: ApiRequest = {
      method, path, query, headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '',
      clientCertValid: clientCertValid(req.socket), readBody: () => readBody(req),
    };
    dispatch(apiReq, env).then(
      (r) => send(res, method, r, cfg, ctx),
      (e: unknown) => {
        log.error('API request %s %s failed: %s', method, req.url, e instanceof Error ? e.stack ?? e.message : String(e));
        if (!res.headersSent) send(res, method, { kind: 'error', code: 503 }, cfg, ctx);
        else res.destroy();
      },
    );
  };
}

/** Malformed requests get a minimal 400 (431 for oversized headers, 408 on timeout) and the socket is closed. */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  socket.end(`HTTP/1.1 ${code} ${reasonPhrase(code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function listenHost(host: string): string | undefined {
  if (host === '' || host === '*') return undefined;
  return host.replace(/^\[(.*)\]$/, '$1');
}

function createServer(cfg: RestApiConfig, onRequest: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const common = { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS };
  if (!cfg.certfile) return createHttpServer(common, onRequest);
  const verify = cfg.verify_client;
  return createHttpsServer({
    ...common,
    cert: readFileSync(cfg.certfile),
    key: readFileSync(cfg.keyfile ?? cfg.certfile),
    passphrase: cfg.keyfile_password,
    ca: cfg.cafile ? readFileSync(cfg.cafile) : undefined,
    ciphers: cfg.ciphers,
    requestCert: verify !== 'none',
    rejectUnauthorized: verify === 'required',
  }, onRequest);
}

export async function startApiServer(cfg: RestApiConfig, ctx: ApiContext, opts: ApiServerOptions = {}): Promise<ApiServerHandle> {
  const access = await AccessControl.create(cfg, opts.resolver);
  const server = createServer(cfg, handler({ routes: opts.routes ?? apiRoutes(), cfg, ctx, access }));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', onClientError);
  server.on('connection', (socket: Socket) => socket.setKeepAlive(true, 3000));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.listen.port, listenHost(cfg.listen.host), () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const address = typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: cfg.listen.host, port: cfg.listen.port };
  return {
    address,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
