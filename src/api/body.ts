// Request bodies of the JSON endpoints (RestApiHandler._read_json_content): required vs optional bodies,
// Patroni's refusal codes, and a size limit so a huge body cannot exhaust memory.
import { isObject, parseJson, type JsonObject } from '../util/json.js';
import type { ApiRequest, ApiResponse } from './response.js';

export type BodyResult = { kind: 'ok'; body: JsonObject } | { kind: 'refused'; response: ApiResponse };

export class BodyTooLarge extends Error {}

const refuse = (code: number): BodyResult => ({ kind: 'refused', response: { kind: 'error', code } });

/**
 * `required`: no Content-Length -> 411, empty or `{}` -> 400. Optional bodies treat both as `{}`.
 * Either way text that is not a JSON object is a 400.
 */
export async function readJsonBody(req: ApiRequest, mode: 'required' | 'optional'): Promise<BodyResult> {
  const hasLength = req.headers['content-length'] !== undefined;
  if (!hasLength && mode === 'required') return refuse(411);
  let raw: Buffer | null;
  try {
    raw = hasLength ? await req.readBody() : null;
  } catch (e) {
    if (e instanceof BodyTooLarge) return refuse(413);
    throw e;
  }
  if (!raw || raw.length === 0) return mode === 'required' ? refuse(400) : { kind: 'ok', body: {} };
  const parsed = parseJson(raw.toString('utf8'));
  if (!isObject(parsed)) return refuse(400);
  if (mode === 'required' && Object.keys(parsed).length === 0) return refuse(400);
  return { kind: 'ok', body: parsed };
}
