// DCS load from etcd's own Prometheus metrics: gRPC calls and streams started. etcd 3.4's JSON gateway
// (used by Patroni 3.0.2) forwards every HTTP call to its gRPC server, so both clients are counted alike.

/** Sum of grpc_server_started_total per gRPC method, parsed from the /metrics text (pure). */
export function parseGrpcStarted(metricsText: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of metricsText.matchAll(/^grpc_server_started_total\{([^}]*)\}\s+([0-9.eE+-]+)$/gm)) {
    const method = /grpc_method="([^"]*)"/.exec(m[1] ?? '')?.[1] ?? '?';
    out.set(method, (out.get(method) ?? 0) + Number(m[2]));
  }
  return out;
}

export async function grpcStarted(etcdEndpoint: string): Promise<Map<string, number>> {
  const res = await fetch(`${etcdEndpoint}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`etcd /metrics: HTTP ${res.status}`);
  return parseGrpcStarted(await res.text());
}

/** Per-method increase between two readings (methods with no calls are left out). */
export function delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [method, n] of after) {
    const d = n - (before.get(method) ?? 0);
    if (d > 0) out.set(method, d);
  }
  return out;
}

export const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
