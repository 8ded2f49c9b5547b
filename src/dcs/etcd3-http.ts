// Raw HTTP(S) exchanges with etcd's gRPC gateway: one-shot JSON requests over a keep-alive agent,
// and the long-lived chunked watch stream.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { JsonObjectSplitter } from './json-stream.js';
import { timerDelay } from '../util/timers.js';

export interface TlsFiles {
  cacert?: string;
  cert?: string;
  key?: string;
}

export interface HttpReply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** The request never got an HTTP answer (refused, reset, timed out): try another endpoint. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

export function makeAgent(protocol: 'http' | 'https', tls: TlsFiles, keepAlive: boolean): http.Agent {
  if (protocol === 'http') return new http.Agent({ keepAlive, maxSockets: 8 });
  return new https.Agent({
    keepAlive,
    maxSockets: 8,
    ...(tls.cacert ? { ca: readFileSync(tls.cacert) } : {}),
    ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls.key ? { key: readFileSync(tls.key) } : {}),
  });
}

function send(url: string, agent: http.Agent, method: string, body: string | undefined, headers: Record<string, string>): http.ClientRequest {
  const mod = url.startsWith('https:') ? https : http;
  const h: Record<string, string> = { ...headers };
  if (body !== undefined) {
    h['content-type'] ??= 'application/json';
    h['content-length'] = String(Buffer.byteLength(body));
  }
  const req = mod.request(url, { method, agent, headers: h });
  if (body !== undefined) req.write(body);
  req.end();
  return req;
}

/** One exchange; `onRequest` sees the request (to abort it). Rejects with ConnectionError when no answer came. */
export function httpRequest(
  url: string,
  agent: http.Agent,
  method: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
  onRequest?: (req: http.ClientRequest) => void,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = send(url, agent, method, body, headers);
    } catch (e) {
      reject(new ConnectionError(String(e)));
      return;
    }
    onRequest?.(req);
    const timer = setTimeout(() => req.destroy(new ConnectionError(`request to ${url} timed out after ${timeoutMs} ms`)), timerDelay(timeoutMs));
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof ConnectionError ? e : new ConnectionError(`${url}: ${e.message}`));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(new ConnectionError(`${url}: ${e.message}`));
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
      });
    });
  });
}

export interface StreamHandle {
  /** Resolves when the stream ends (cleanly or not); rejects with the transport error. */
  done: Promise<void>;
  abort(): void;
}

/** POST and hand every top-level JSON object of the (endless) response body to onObject. */
export function httpStream(
  url: string,
  agent: http.Agent,
  body: string,
  headers: Record<string, string>,
  onObject: (text: string) => void,
  keepAliveMs: number,
): StreamHandle {
  let req: http.ClientRequest | undefined;
  const done = new Promise<void>((resolve, reject) => {
    try {
      req = send(url, agent, 'POST', body, headers);
    } catch (e) {
      reject(new ConnectionError(String(e)));
      return;
    }
    // Without keepalive probes a silently dead peer would leave us watching forever.
    req.on('socket', (s) => s.setKeepAlive(true, keepAliveMs));
    req.on('error', (e) => reject(new ConnectionError(`${url}: ${e.message}`)));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new ConnectionError(`${url}: HTTP ${res.statusCode ?? 0}`));
        return;
      }
      const splitter = new JsonObjectSplitter();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          for (const text of splitter.push(chunk)) onObject(text);
        } catch (e) {
          req?.destroy(e instanceof Error ? e : new Error(String(e)));
        }
      });
      res.on('error', (e) => reject(new ConnectionError(`${url}: ${e.message}`)));
      res.on('end', () => resolve());
      res.on('close', () => resolve());
    });
  });
  return { done, abort: () => req?.destroy() };
}
