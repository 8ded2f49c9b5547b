// `zookeeper.use_ssl` and its keys -> Node's TLS client options, as kazoo's create_tcp_connection
// builds its SSLContext: the system CAs plus `cacert`; the chain verified unless `verify: false`; the
// host name never checked (kazoo's check_hostname defaults to False and Patroni does not set it);
// a client certificate only when both `cert` and `key` are set. Pure: files come from `read`.
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import type { ZkTlsConfig } from '../../config/types.js';

export function zkTlsOptions(cfg: ZkTlsConfig, read: (path: string) => string): ConnectionOptions {
  const opts: ConnectionOptions = {
    rejectUnauthorized: cfg.verify,
    checkServerIdentity: () => undefined,
  };
  if (cfg.cacert !== undefined) opts.ca = [...rootCertificates, read(cfg.cacert)];
  if (cfg.cert !== undefined && cfg.key !== undefined) {
    opts.cert = read(cfg.cert);
    opts.key = read(cfg.key);
    if (cfg.key_password !== undefined) opts.passphrase = cfg.key_password;
  }
  return opts;
}
