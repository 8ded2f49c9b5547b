// One progress line per step, prefixed with the time since the run started.
const started = Date.now();

export function progress(message: string): void {
  const s = Math.floor((Date.now() - started) / 1000);
  const stamp = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  console.log(`[bench ${stamp}] ${message}`);
}
