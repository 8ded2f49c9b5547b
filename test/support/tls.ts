// Certificates made with openssl inside a test (never checked in): a private CA, a server certificate
// for 127.0.0.1/localhost (also usable as a client certificate: etcd's gateway dials itself with it)
// and a client certificate, with 0600 keys as PostgreSQL and etcd demand.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function makeCerts(dir: string): TestCerts {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=patroni-ts-test-ca', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  for (const [name, cn, usage] of [
    ['server', '127.0.0.1', 'serverAuth,clientAuth'],
    ['client', 'postgres', 'clientAuth'],
  ] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), `subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=${usage}\n`);
    ssl(
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
  }
  return { dir, ca: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key') };
}

/** What a test client presents: the CA it trusts and its own certificate. */
export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}
