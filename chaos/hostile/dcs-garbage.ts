// The DCS half of `--hostile`: every key of the cluster overwritten with garbage in turn, through
// etcd's v3 JSON gateway (what any buggy or malicious client with etcd access could do).
import { deepJson } from './requests.js';

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

export interface EtcdKey {
  key: string;
  value: string;
  lease: string;
}

async function call(endpoint: string, path: string, body: object): Promise<unknown> {
  const res = await fetch(`${endpoint}/v3/${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

function prefixEnd(prefix: string): string {
  const b = Buffer.from(prefix);
  b[b.length - 1] = (b[b.length - 1] ?? 0) + 1;
  return b.toString('base64');
}

export async function listKeys(endpoint: string, prefix: string): Promise<EtcdKey[]> {
  const r = await call(endpoint, 'kv/range', { key: b64(prefix), range_end: prefixEnd(prefix) });
  const kvs = (r as { kvs?: Array<{ key: string; value?: string; lease?: string }> }).kvs ?? [];
  return kvs.map((kv) => ({ key: unb64(kv.key), value: kv.value ? unb64(kv.value) : '', lease: kv.lease ?? '0' }));
}

export async function putKey(endpoint: string, key: string, value: string | Buffer): Promise<void> {
  await call(endpoint, 'kv/put', { key: b64(key), value: b64(value) });
}

export async function deleteKey(endpoint: string, key: string): Promise<void> {
  await call(endpoint, 'kv/deleterange', { key: b64(key) });
}

/** Garbage for one key: wrong types, huge and deep values, names of non-members, a broken history. */
export function garbageFor(key: string): Array<[label: string, value: string]> {
  const common: Array<[string, string]> = [
    ['not-json', '{"unterminated": '],
    ['wrong-type-number', '12345'],
    ['wrong-type-list', '[1, "two", null, {"3": [4]}]'],
    ['deep-json', deepJson(5000)],
    ['huge', JSON.stringify({ x: 'A'.repeat(1_000_000) })],
    ['binary', '\u0000\u00ff\ud800garbage'],
    ['empty', ''],
  ];
  const name = key.split('/').pop() ?? '';
  const specific: Array<[string, string]> =
    name === 'failover'
      ? [['failover-non-member', '{"leader": "ghost", "member": "nobody", "scheduled_at": "yesterday"}']]
      : name === 'sync'
        ? [['sync-non-member', '{"leader": "ghost", "sync_standby": "nobody,phantom", "quorum": "x"}']]
        : name === 'history'
          ? [['broken-history', '[[1, "not-an-lsn", "r"], ["x"], 7]']]
          : name === 'config'
            ? [['config-wrong-types', '{"ttl": "abc", "loop_wait": -3, "postgresql": {"parameters": "nope"}, "slots": {"../../x": {}}}']]
            : name === 'leader'
              ? [['leader-non-member', 'ghost']]
              : key.includes('/members/')
                ? [['member-wrong-types', '{"conn_url": 5, "api_url": "http://", "state": {"x": 1}, "role": null, "xlog_location": "abc"}']]
                : name === 'status'
                  ? [['status-wrong-types', '{"optime": "abc", "slots": {"../x": "y"}, "retain_slots": 5}']]
                  : [];
  return [...common, ...specific];
}
