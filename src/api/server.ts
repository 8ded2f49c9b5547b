// The REST API listener: HTTP/1.1 with keep-alive and Content-Length on every response (deliberately
// not Python's HTTP/1.0 framing), Patroni's paths, codes and bodies. Routing lives in routes.ts, the
// health decisions in health.ts; this file only does transport.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
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
import type { ApiRequest, ApiResponse, JsonBody } from './response.js';
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
const STATUS_ONLY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Content-Length': '0' });

export interface ApiServerHandle {
  readonly address: { host: string; port: number };
  close(): Promise<void>;
  /**
   * Apply changed `restapi` settings, as Patroni's RestApiServer.reload_config: authentication,
   * allowlist and headers at once; new certificate/key files through the TLS context; a new listen
   * address or TLS mode by a new socket (the old one is closed only once the new one listens).
   * Throws, leaving everything as it was, when the new settings cannot be applied.
   */
  reconfigure(cfg: RestApiConfig): Promise<void>;
}

export interface ApiServerOptions {
  /** Route table; defaults to every endpoint (apiRoutes()). */
  routes?: RouteTable;
  /** Host name resolution for allowlists (tests inject one). */
  resolver?: Resolver;
}

function serverToken(cfg: RestApiConfig, version: string): string {
  switch (cfg.server_tokens.toLowerCase()) {
    case 'productonly':
      return 'Patroni';
    case 'minimal':
      return `Patroni/${version}`;
    default:
      return PYTHON_SERVER_TOKEN;
  }
}

function extraHeaders(cfg: RestApiConfig): Record<string, string> {
  return cfg.certfile ? { ...cfg.http_extra_headers, ...cfg.https_extra_headers } : { ...cfg.http_extra_headers };
}

/**
 * Serialised JSON bodies by object identity: the health checks answer with one shared status object
 * until it changes (ApiContext.healthStatus), so a busy load balancer costs one serialisation per
 * change, not one per request. Weak: a replaced status is collected with its body.
 */
const serialised = new WeakMap<object, Buffer>();

function sharedJsonBody(body: JsonBody): Buffer {
  if (typeof body !== 'object' || body === null) return Buffer.from(pyJson(body));
  let buf = serialised.get(body);
  if (!buf) {
    buf = Buffer.from(pyJson(body));
    serialised.set(body, buf);
  }
  return buf;
}

/** Headers of a shared JSON body, built once per body and settings: health checks answer without building any. */
const sharedHeads = new WeakMap<Buffer, { cfg: RestApiConfig; version: string; headers: Record<string, string> }>();
function jsonHeaders(cfg: RestApiConfig, version: string, type: string, own: Record<string, string> | undefined, length: number): Record<string, string> {
  return { Server: serverToken(cfg, version), ...(own ?? {}), 'Content-Type': type, ...extraHeaders(cfg), 'Content-Length': String(length) };
}
function send(res: ServerResponse, method: string, r: ApiResponse, cfg: RestApiConfig, ctx: ApiContext): void {
  if (r.kind === 'status') {
    res.writeHead(r.code, STATUS_ONLY_HEADERS);
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
  if (r.kind === 'json' && r.shared && !r.headers) {
    const body = sharedJsonBody(r.body);
    let head = sharedHeads.get(body);
    if (head?.cfg !== cfg || head.version !== ctx.version) {
      head = { cfg, version: ctx.version, headers: jsonHeaders(cfg, ctx.version, 'application/json', undefined, body.length) };
      sharedHeads.set(body, head);
    }
    res.writeHead(r.code, head.headers);
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const body = r.kind === 'json' ? (r.shared ? sharedJsonBody(r.body) : Buffer.from(pyJson(r.body))) : Buffer.from(r.text);
  const type = r.kind === 'json' ? 'application/json' : r.kind === 'plain' ? 'text/plain' : 'text/html';
  res.writeHead(r.code, jsonHeaders(cfg, ctx.version, type, r.kind === 'plain' ? undefined : r.headers, body.length));
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

interface Env {
  routes: RouteTable;
  cfg: RestApiConfig;
  ctx: ApiContext;
  access: AccessControl;
}

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
  const report = await ctx.healthStatus();
  const d = ctx.dynamic();
  const code = healthCode(path, query, {
    status: report.status,
    latestEndLsn: report.latestEndLsn,
    cluster: ctx.cachedCluster(),
    isLeader: ctx.isLeader(),
    standbyCluster: d.standby_cluster !== null,
    tags: ctx.tags(),
  });
  return statusOnly ? { kind: 'status', code } : { kind: 'json', code, body: report.status, shared: true };
}

function clientCertValid(socket: Socket): boolean {
  return socket instanceof TLSSocket && socket.authorized;
}

function handler(env: Env) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const { cfg, ctx } = env; // read per request: a reload swaps them
    const method = req.method ?? 'GET';
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      res.shouldKeepAlive = false;
      send(res, method, { kind: 'error', code: 413 }, cfg, ctx);
      return;
    }
    const { path, query } = parseTarget(req.url ?? '/');
    const apiReq: ApiRequest = {
      method,
      path,
      query,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
      clientCertValid: clientCertValid(req.socket),
      readBody: () => readBody(req),
    };
    dispatch(apiReq, env)
      .then(
        (r) => send(res, method, r, cfg, ctx),
        (e: unknown) => {
          log.error('API request %s %s failed: %s', method, req.url, describe(e));
          if (!res.headersSent) send(res, method, { kind: 'error', code: 503 }, cfg, ctx);
          else res.destroy();
        },
      )
      .catch((e: unknown) => failed(res, method, req.url, e));
  };
}

const describe = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));

/** Last resort for a failure while answering (serialising, writing): a bare 500, the process stays. */
function failed(res: ServerResponse, method: string, url: string | undefined, e: unknown): void {
  log.error('API request %s %s failed while answering: %s', method, url, describe(e));
  try {
    if (res.headersSent) res.destroy();
    else {
      res.writeHead(500, { 'Content-Length': '0', Connection: 'close' });
      res.end();
    }
  } catch {
    res.destroy();
  }
}

/** Every request goes through here: whatever a handler throws, synchronously or not, becomes a 5xx. */
function guarded(onRequest: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      onRequest(req, res);
    } catch (e) {
      failed(res, req.method ?? 'GET', req.url, e);
    }
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

function tlsOptions(cfg: RestApiConfig) {
  return {
    cert: readFileSync(cfg.certfile ?? ''),
    key: readFileSync(cfg.keyfile ?? cfg.certfile ?? ''),
    passphrase: cfg.keyfile_password,
    ca: cfg.cafile ? readFileSync(cfg.cafile) : undefined,
    ciphers: cfg.ciphers,
  };
}

function createServer(cfg: RestApiConfig, onRequest: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const common = { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS };
  if (!cfg.certfile) return createHttpServer(common, onRequest);
  const verify = cfg.verify_client;
  // A client that never finishes its TLS handshake is dropped like one that never finishes its headers.
  return createHttpsServer(
    { ...common, ...tlsOptions(cfg), handshakeTimeout: HEADERS_TIMEOUT_MS, requestCert: verify !== 'none', rejectUnauthorized: verify === 'required' },
    onRequest,
  );
}

async function listen(cfg: RestApiConfig, onRequest: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(cfg, onRequest);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', onClientError);
  // Without a listener Node drops CONNECT requests without a word; Patroni answers 501 like any unknown method.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.end(`HTTP/1.1 501 ${reasonPhrase(501)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.on('connection', (socket: Socket) => socket.setKeepAlive(true, 3000));
  // A failed or timed-out TLS handshake (garbage, a rogue certificate under verify_client required) ends
  // the connection at once; Node otherwise leaves it open until the client goes away.
  server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.listen.port, listenHost(cfg.listen.host), () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** What needs a new socket when it changes: where we listen, and the TLS handshake policy. */
const socketKey = (c: RestApiConfig): string => JSON.stringify([c.listen.host, c.listen.port, Boolean(c.certfile), c.verify_client]);
/** What a new TLS context covers: the files' contents and their settings. */
function tlsKey(c: RestApiConfig): string {
  if (!c.certfile) return '';
  const o = tlsOptions(c);
  return JSON.stringify([o.cert.toString('base64'), o.key.toString('base64'), o.passphrase, o.ca?.toString('base64'), o.ciphers]);
}

export async function startApiServer(cfg: RestApiConfig, ctx: ApiContext, opts: ApiServerOptions = {}): Promise<ApiServerHandle> {
  const env: Env = { routes: opts.routes ?? apiRoutes(), cfg, ctx, access: await AccessControl.create(cfg, opts.resolver) };
  const onRequest = guarded(handler(env));
  let server = await listen(cfg, onRequest);
  let tls = tlsKey(cfg);
  const addressOf = (): { host: string; port: number } => {
    const addr = server.address();
    return typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host: env.cfg.listen.host, port: env.cfg.listen.port };
  };
  return {
    get address() {
      return addressOf();
    },
    close: () => closeServer(server),
    reconfigure: async (next: RestApiConfig) => {
      const access = await AccessControl.create(next, opts.resolver);
      const nextTls = tlsKey(next); // reads the files: a missing one throws before anything changes
      if (socketKey(next) !== socketKey(env.cfg)) {
        const sameAddress = next.listen.host === env.cfg.listen.host && next.listen.port === env.cfg.listen.port;
        const old = server;
        if (sameAddress) await closeServer(old); // the port must be free for the new socket
        try {
          server = await listen(next, onRequest);
        } catch (e) {
          if (sameAddress) server = await listen(env.cfg, onRequest); // back to the old settings
          throw e;
        }
        if (!sameAddress) await closeServer(old);
        log.info('REST API listening on %s:%d%s', next.listen.host, next.listen.port, next.certfile ? ' (https)' : '');
      } else if (nextTls !== tls && server instanceof HttpsServer) {
        server.setSecureContext(tlsOptions(next));
        log.info('REST API certificate reloaded');
      }
      tls = nextTls;
      env.cfg = next;
      env.access = access;
    },
  };
}
