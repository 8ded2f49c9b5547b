// Share one in-flight read among concurrent callers without serving anyone a stale answer: a call
// that arrives while a read runs waits for the *next* read, which starts after the running one, so
// every caller gets data read after it asked (linearizable /cluster under load, one etcd read per batch).
export function coalesceFresh<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const p = read().finally(() => { if (inFlight === p) inFlight = null; });
    inFlight = p;
    return p;
  };
  return () => {
    if (!inFlight) return start();
    const settle = () => undefined;
    queued ??= inFlight.then(settle, settle).then(() => {
      queued = null;
      return start();
    });
    return queued;
  };
}
