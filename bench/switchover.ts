// Switchover through the leader's REST API: request -> candidate accepts a write -> old primary streams.
import type { TestCluster } from '../test/support/cluster/index.js';
import { haTimeoutMs, record, step, type SuiteContext } from './context.js';
import { waitHealthy, waitWritable } from './probe.js';
import type { Writer } from './writer.js';

export async function measureSwitchover(ctx: SuiteContext, cluster: TestCluster, writer: Writer | undefined): Promise<void> {
  const timeoutMs = haTimeoutMs(ctx.profile);
  for (let i = 1; i <= ctx.options.reps; i++) {
    const metrics = writer ? ['switchover_writable', 'switchover_streaming', 'write_gap_switchover'] as const
      : ['switchover_writable', 'switchover_streaming'] as const;
    const ok = await step(ctx, `switchover ${i}/${ctx.options.reps}`, metrics, async () => {
      const { leader, replicas: [candidate] } = await waitHealthy(cluster, timeoutMs);
      if (!candidate) throw new Error('no replica to switch over to');
      const t0 = performance.now();
      const answer = leader.api('/switchover', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ leader: leader.name, candidate: candidate.name }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // A refusal (4xx) ends the attempt at once; anything else (200, or 503 "status unknown" after
      // Patroni's own polling gave up) is judged by what the cluster does.
      const refused = answer.then((a) => {
        ctx.store.detail(ctx.profile.name, ctx.impl, 'switchover answers', { status: a.status, text: a.text.slice(0, 200) });
        if (a.status >= 400 && a.status < 500) throw new Error(`POST /switchover answered ${a.status}: ${a.text.slice(0, 200)}`);
        return new Promise<never>(() => undefined);
      }, () => new Promise<never>(() => undefined));
      const { at: writableAt } = await Promise.race([waitWritable([candidate], timeoutMs), refused]);
      record(ctx, 'switchover_writable', (writableAt - t0) / 1000);
      const healthy = await waitHealthy(cluster, timeoutMs);
      if (healthy.leader !== candidate) throw new Error(`${healthy.leader.name} is leader, not the candidate ${candidate.name}`);
      record(ctx, 'switchover_streaming', (performance.now() - t0) / 1000);
      if (writer) record(ctx, 'write_gap_switchover', (await writer.gapSince(t0, writableAt, 60_000)) / 1000);
      await answer.catch(() => undefined);
    });
    if (!ok) return; // a cluster that failed one switchover would only fail the next ones the same way
  }
}
