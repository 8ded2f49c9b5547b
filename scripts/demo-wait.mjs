#!/usr/bin/env node
// Used by scripts/demo.sh: polls each node's GET /patroni until there is exactly one running primary
// and `replicas` streaming replicas. Usage: demo-wait.mjs TIMEOUT_S REPLICAS REST_PORT...
// Nodes are named node1..N in port order. Patroni 3.x says `master` and has no `replication_state` (then the leader's `replication` list counts).
const [timeoutS, replicas, ...ports] = process.argv.slice(2).map(Number);
const deadline = Date.now() + timeoutS * 1000;

async function status(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/patroni`, { signal: AbortSignal.timeout(2000) });
    return await res.json();
  } catch {
    return undefined;
  }
}

function summarize(all) {
  const isPrimary = (s) => s && (s.role === 'primary' || s.role === 'master') && s.state === 'running';
  const primaries = all.filter(isPrimary);
  if (primaries.length !== 1) return { leader: undefined, streaming: 0 };
  const leader = primaries[0];
  const fromLeader = new Set((leader.replication ?? []).filter((r) => r.state === 'streaming').map((r) => r.application_name));
  const streaming = all.filter(
    (s, i) =>
      s &&
      s.role === 'replica' &&
      s.state === 'running' &&
      (typeof s.replication_state === 'string' ? s.replication_state === 'streaming' : fromLeader.has(s.patroni?.name ?? `node${i + 1}`)),
  );
  return { leader, streaming: streaming.length };
}

let last = '';
while (Date.now() < deadline) {
  const all = await Promise.all(ports.map(status));
  const { leader, streaming } = summarize(all);
  const line = leader ? `leader is up, ${streaming}/${replicas} replicas streaming` : 'waiting for a leader';
  if (line !== last) console.log(`demo: ${line}`);
  last = line;
  if (leader && streaming >= replicas) process.exit(0);
  await new Promise((r) => setTimeout(r, 1000));
}
console.error(`demo: timed out after ${timeoutS}s (${last})`);
process.exit(1);
