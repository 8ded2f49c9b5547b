// Patroni's PatroniRequest (patroni/request.py), for patronictl and for the daemon's calls to its peers:
// Basic auth from ctl, else restapi authentication; client certificate from ctl.certfile/keyfile/
// keyfile_password; CA from ctl.cacert, else restapi.cafile. The daemon is always `insecure`: without
// a client certificate it does not verify peers at all; with one it checks the chain but not the host
// name (urllib3's assert_hostname=False). Non-2xx answers are data; only network errors throw.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { readFileSync } from 'node:fs';
import { pyJson } from './py-json.js';
import { isObject, parseBool, parseJson, type Json, type JsonObject } from './json.js';

export interface RestResponse {
  status: number;
  body: string;
}

const VERSION = '4.1.4';
/** Never hang forever on a black-holed member. */
const SOCKET_TIMEOUT_MS = 30_000;

function section(config: JsonObject, name: string): JsonObject {
  const s = config[name];
  return isObject(s) ? s : {};
}

function basicAuth(config: JsonObject): string | undefined {
  for (const name of ['ctl', 'restapi']) {
    const auth = section(section(config, name), 'authentication');
    if (typeof auth.username === 'string') return 'Basic ' + Buffer.from(`${auth.username}:${String(auth.password ?? '')}`).toString('base64');
  }
  return undefined;
}

function tlsOptions(config: JsonObject, insecure: boolean): RequestOptions {
  const ctl = section(config, 'ctl');
  const restapi = section(config, 'restapi');
  const str = (v: Json | undefined) => (typeof v === 'string' ? v : undefined);
  const cacert = str(ctl.cacert) ?? str(restapi.cafile);
  const certfile = str(ctl.certfile);
  const opts: RequestOptions = {};
  if (cacert) opts.ca = readFileSync(cacert);
  if (certfile) {
    opts.cert = readFileSync(certfile);
    opts.key = readFileSync(str(ctl.keyfile) ?? certfile);
    const pass = str(ctl.keyfile_password);
    if (pass) opts.passphrase = pass;
  }
  const skip = insecure || parseBool(ctl.insecure) === true;
  // With a client certificate, insecure only disables the hostname check (like urllib3).
  if (skip && certfile) opts.checkServerIdentity = () => undefined;
  else if (skip) opts.rejectUnauthorized = false;
  return opts;
}

/** `api_url` with its path replaced by `/<endpoint>`; unchanged when no endpoint. */
export function endpointUrl(apiUrl: string, endpoint?: string): URL {
  const url = new URL(apiUrl);
  if (endpoint !== undefined) {
    url.pathname = `/${endpoint}`;
    url.search = '';
  }
  return url;
}

export function requestPatroni(
  config: JsonObject,
  insecure: boolean,
  apiUrl: string,
  method: string,
  endpoint?: string,
  data?: Json,
  timeoutMs = SOCKET_TIMEOUT_MS,
): Promise<RestResponse> {
  const url = endpointUrl(apiUrl, endpoint);
  const body = data === undefined ? undefined : Buffer.from(pyJson(data));
  const headers: Record<string, string> = { 'User-Agent': `Patroni/${VERSION} Node.js/${process.versions.node} ${process.platform}` };
  const auth = basicAuth(config);
  if (auth) headers.Authorization = auth;
  if (body) headers['Content-Length'] = String(body.length);
  const https = url.protocol === 'https:';
  const opts: RequestOptions = { method: method.toUpperCase(), headers, timeout: timeoutMs, ...(https ? tlsOptions(config, insecure) : {}) };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`Read timed out. (read timeout=${timeoutMs / 1000})`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The daemon's local configuration for its peer calls (set at start and on reload). */
let daemonConfig: JsonObject = {};

export function configurePeerRequests(raw: JsonObject): void {
  daemonConfig = raw;
}

/** GET a peer's endpoint as the daemon does (insecure, own client certificate); null on any failure. */
export async function getPeerJson(url: string, timeoutMs: number): Promise<{ status: number; body: Json } | null> {
  try {
    const res = await requestPatroni(daemonConfig, true, url, 'GET', undefined, undefined, timeoutMs);
    return { status: res.status, body: parseJson(res.body) ?? null };
  } catch {
    return null;
  }
}

/** POST JSON to a peer's endpoint as the daemon does (insecure, own client certificate); network errors throw. */
export function postPeer(apiUrl: string, endpoint: string, data: Json, timeoutMs: number): Promise<RestResponse> {
  return requestPatroni(daemonConfig, true, apiUrl, 'POST', endpoint, data, timeoutMs);
}
