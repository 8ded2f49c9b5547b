// Wire shapes of etcd v3 gateway requests/replies: base64 keys and values, prefix range ends, txn
// compare/put builders, and the narrowing of `kvs` entries. Pure.
import { isObject, type Json, type JsonObject } from '../util/json.js';

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** Range end covering every key with this prefix: last byte (< 0xff) incremented. */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i] ?? 0xff;
    if (byte < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = byte + 1;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64'); // all 0xff: to the end of the keyspace
}

/** One key as the cache and the parser see it (key decoded, full path). */
export interface KvEntry {
  key: string;
  value: string;
  modRevision: string;
  createRevision: string;
  /** Lease id, absent when the key has none. */
  lease?: string;
}

export function kvFromJson(kv: Json | undefined): KvEntry | undefined {
  if (!isObject(kv) || typeof kv.key !== 'string') return undefined;
  const entry: KvEntry = {
    key: unb64(kv.key),
    value: typeof kv.value === 'string' ? unb64(kv.value) : '',
    modRevision: String(kv.mod_revision ?? '0'),
    createRevision: String(kv.create_revision ?? '0'),
  };
  if (kv.lease !== undefined && kv.lease !== '0' && kv.lease !== 0) entry.lease = String(kv.lease);
  return entry;
}

export function kvsOf(rangeReply: JsonObject): KvEntry[] {
  const kvs = Array.isArray(rangeReply.kvs) ? rangeReply.kvs : [];
  return kvs.map(kvFromJson).filter((e): e is KvEntry => e !== undefined);
}

export function revisionOf(reply: JsonObject): string {
  const header = isObject(reply.header) ? reply.header : {};
  return String(header.revision ?? '0');
}

export type Compare =
  | { key: string; target: 'CREATE'; create_revision: string }
  | { key: string; target: 'MOD'; mod_revision: string }
  | { key: string; target: 'VALUE'; value: string };

export const createdNever = (key: string): Compare => ({ key: b64(key), target: 'CREATE', create_revision: '0' });
export const modIs = (key: string, rev: string): Compare => ({ key: b64(key), target: 'MOD', mod_revision: rev });
export const valueIs = (key: string, value: string): Compare => ({ key: b64(key), target: 'VALUE', value: b64(value) });

export function putBody(key: string, value: string, lease?: string): JsonObject {
  const body: JsonObject = { key: b64(key), value: b64(value) };
  if (lease) body.lease = lease;
  return body;
}

export function deleteBody(key: string, prefix = false): JsonObject {
  return prefix ? { key: b64(key), range_end: prefixRangeEnd(key) } : { key: b64(key) };
}

export type TxnOp = { request_put: JsonObject } | { request_delete_range: JsonObject } | { request_txn: JsonObject };

export function txnBody(compare: Compare[], success: TxnOp[], failure: TxnOp[] = []): JsonObject {
  // Compare objects are plain JSON; spread them to satisfy the JsonObject index signature.
  return { compare: compare.map((c) => ({ ...c })), success: success.map((o) => ({ ...o })), failure: failure.map((o) => ({ ...o })) };
}

/** `succeeded` of a txn reply, or of the nested txn in its first response (failure branch). */
export function txnSucceeded(reply: JsonObject, nested = false): boolean {
  if (!nested) return reply.succeeded === true;
  const first = Array.isArray(reply.responses) ? reply.responses[0] : undefined;
  return isObject(first) && isObject(first.response_txn) && first.response_txn.succeeded === true;
}
