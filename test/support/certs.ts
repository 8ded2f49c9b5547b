// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type TestCerts = Record<'ca' | 'cert' | 'key' | 'clientCert' | 'clientKey', string>;

/** A throwaway CA in `dir` (ca.crt, ca.key) that `signCert` signs with. */
export function makeCa(dir: string, cn = 'test-ca'): void {
  const f = (n: string) => join(dir, n);
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-keyout', f('ca.key'), '-out', f('ca.crt'));
}

/**
 * `<name>.crt` and `<name>.key` (0600, as PostgreSQL and etcd demand) for subject CN=`cn`, signed by the
 * CA of `makeCa`; `san` like `IP:127.0.0.1,DNS:localhost`, `usage` like `serverAuth,clientAuth`.
 */
export function signCert(dir: string, name: string, cn: string, san: string, usage: string): { cert: string; key: string } {
  const f = (n: string) => join(dir, n);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
  writeFileSync(f(`${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${usage}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    f(`${name}.csr`),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f(`${name}.ext`),
    '-out',
    f(`${name}.crt`),
  );
  chmodSync(f(`${name}.key`), 0o600);
  return { cert: f(`${name}.crt`), key: f(`${name}.key`) };
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** `dnsNames`: host names the server certificate holds besides 127.0.0.1 (an SRV target such as localhost). */
export function makeCerts(dir: string, opts: { dnsNames?: string[] } = {}): TestCerts {
  const san = ['IP:127.0.0.1', ...(opts.dnsNames ?? []).map((n) => `DNS:${n}`)].join(',');
  makeCa(dir);
  const server = signCert(dir, 'server', '127.0.0.1', san, 'serverAuth,clientAuth');
  const client = signCert(dir, 'client', 'client', san, 'serverAuth,clientAuth');
  return { ca: join(dir, 'ca.crt'), cert: server.cert, key: server.key, clientCert: client.cert, clientKey: client.key };
}
