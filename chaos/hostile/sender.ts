// Raw HTTP for hostile requests: fetch refuses invalid methods and headers, a socket does not. Each
// request gets its own connection; the answer is classified by its status line.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export type Outcome = '2xx' | '3xx' | '4xx' | '5xx' | 'tls-alert' | 'malformed' | 'closed' | 'timeout';

export function classify(response: string): Outcome {
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(response);
  if (!m && /^\x15\x03[\x00-\x04]/.test(response)) return 'tls-alert'; // a TLS server refusing a broken handshake
  if (!m) return response.length === 0 ? 'closed' : 'malformed';
  const c = Number(m[1]);
  return c < 300 ? '2xx' : c < 400 ? '3xx' : c < 500 ? '4xx' : '5xx';
}

/** How a request reaches the server: plain TCP, TLS (any server certificate accepted), or TLS presenting a client certificate. */
export type Transport = { kind: 'plain' } | { kind: 'tls' } | { kind: 'tls-client-cert'; cert: Buffer; key: Buffer };

export function sendRaw(
  port: number,
  bytes: Buffer,
  transport: Transport = { kind: 'plain' },
  timeoutMs = 15_000,
): Promise<{ outcome: Outcome; head: string }> {
  return new Promise((resolve) => {
    const sock: Socket =
      transport.kind === 'plain'
        ? connect(port, '127.0.0.1')
        : tlsConnect({
            port,
            host: '127.0.0.1',
            rejectUnauthorized: false,
            ...(transport.kind === 'tls-client-cert' ? { cert: transport.cert, key: transport.key } : {}),
          });
    let buf = '';
    let done = false;
    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ outcome: timedOut && buf.length === 0 ? 'timeout' : classify(buf), head: buf.slice(0, 200) });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.length > 64 * 1024) finish(false);
    });
    sock.on('error', () => finish(false));
    sock.on('close', () => finish(false));
    sock.on(transport.kind === 'plain' ? 'connect' : 'secureConnect', () => {
      sock.write(bytes);
    });
  });
}

/** Clients that trickle a request one byte at a time and never finish it (slowloris). */
export function slowClients(port: number, count: number): { stop(): void; stillOpen(): number } {
  const socks: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < count; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    const text = 'GET /patroni HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    let at = 0;
    timers.push(
      setInterval(() => {
        if (!s.destroyed) s.write(text[at++ % text.length] ?? 'a');
      }, 1000),
    );
    socks.push(s);
  }
  return {
    stop: () => {
      timers.forEach(clearInterval);
      socks.forEach((s) => s.destroy());
    },
    stillOpen: () => socks.filter((s) => !s.destroyed).length,
  };
}

/** Opens `count` idle connections at once (more than the server's limit), then closes them. */
export async function connectionFlood(port: number, count: number): Promise<{ opened: number; refused: number }> {
  const results = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket | null>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => resolve(s));
          s.once('error', () => resolve(null));
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500));
  let refused = 0;
  for (const s of results) {
    if (!s || s.destroyed) refused++;
    s?.destroy();
  }
  return { opened: results.length - refused, refused };
}
