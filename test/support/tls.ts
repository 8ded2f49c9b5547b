// Certificates made with openssl inside a test (never checked in): a private CA, a server certificate
// for 127.0.0.1/localhost (also usable as a client certificate: etcd's gateway dials itself with it)
// and a client certificate, with 0600 keys as PostgreSQL and etcd demand.
import { join } from 'node:path';
import { makeCa, signCert } from './certs.js';

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function makeCerts(dir: string): TestCerts {
  makeCa(dir, 'patroni-ts-test-ca');
  const server = signCert(dir, 'server', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost', 'serverAuth,clientAuth');
  const client = signCert(dir, 'client', 'postgres', 'IP:127.0.0.1,DNS:localhost', 'clientAuth');
  return { dir, ca: join(dir, 'ca.crt'), serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key };
}

/** What a test client presents: the CA it trusts and its own certificate. */
export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}
