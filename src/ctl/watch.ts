// `-W` / `-w SECONDS` refresh loops of list/topology (click.clear() before every render).
import { setTimeout as sleep } from 'node:timers/promises';

export async function watching(w: boolean, seconds: number | undefined, clear: (() => void) | null, render: () => Promise<void>): Promise<void> {
  const interval = seconds ?? (w ? 2 : undefined);
  for (;;) {
    if (interval !== undefined && clear) clear();
    await render();
    if (interval === undefined) return;
    await sleep(interval * 1000);
  }
}

/** Local `YYYY-MM-DD HH:MM:SS` (`-t`, query error rows, demote/promote progress). */
export function timestampSeconds(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
