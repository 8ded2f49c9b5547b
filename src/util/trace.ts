// Step timings for finding where the time of a command goes (`PATRONICTL_TRACE=1 patronictl ...`,
// `npm run bench -- --trace`). Off by default: then a step costs one boolean test.
// Each line: `trace <epoch ms> +<ms since process start> <step>` on stderr, so a harness can line
// the command's steps up with the daemons' log lines.

let enabled = false;

export function enableTrace(on: boolean): void {
  enabled = on;
}

export function traceEnabled(): boolean {
  return enabled;
}

/** `performance.now()` counts from the process start (timeOrigin), module loading included. */
export function formatTrace(step: string, epochMs: number, sinceStartMs: number): string {
  return `trace ${epochMs.toFixed(1)} +${sinceStartMs.toFixed(1)}ms ${step}\n`;
}

export function trace(step: string): void {
  if (!enabled) return;
  const since = performance.now();
  process.stderr.write(formatTrace(step, performance.timeOrigin + since, since));
}
