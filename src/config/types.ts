// The local configuration after loading (YAML file or dir, PATRONI_* overlays) and normalising.
// Field names follow Patroni's YAML keys so Patroni's YAML configuration docs stay the reference;
// `raw` keeps the merged document for --validate-config --print and for sections later issues will
// read.
import type { Json, JsonObject } from '../util/json.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface LogConfig {
  type: 'plain' | 'json';
  level: LogLevel;
  /** A %-style template, or (type json) a list of field names and {field: renamed} mappings. */
  format: string | Json[];
  dateformat?: string;
  dir?: string;
  file_num: number;
  file_size: number;
  /** File permissions of log files (log.mode); default 0666 minus the umask. */
  mode?: number;
  static_fields?: JsonObject;
  traceback_level: 'DEBUG' | 'ERROR';
  /** Per-logger levels under Patroni's module names (patroni.ha, patroni.postgresql...). */
  loggers: Record<string, LogLevel>;
  deduplicate_heartbeat_logs: boolean;
  max_queue_size: number;
}

export interface BasicAuth {
  username: string;
  password: string;
}

export interface RestApiConfig {
  listen: { host: string; port: number };
  connect_address: string;
  authentication?: BasicAuth;
  certfile?: string;
  keyfile?: string;
  keyfile_password?: string;
  cafile?: string;
  ciphers?: string;
  verify_client: 'none' | 'optional' | 'required';
  allowlist: string[];
  allowlist_include_members: boolean;
  http_extra_headers: Record<string, string>;
  https_extra_headers: Record<string, string>;
  server_tokens: 'original' | 'minimal' | 'productonly';
}

export interface CtlConfig {
  insecure: boolean;
  cacert?: string;
  certfile?: string;
  keyfile?: string;
  keyfile_password?: string;
  authentication?: BasicAuth;
}

/** etcd: v3 through its JSON gateway (`etcd3:`) or the v2 keys API (`etcd:`), as Patroni talks to them. */
export interface Etcd3Config {
  kind: 'etcd3' | 'etcd';
  /** host:port endpoints (or base URLs); with `srv`, the fallback when SRV finds nothing */
  hosts: string[];
  protocol: 'http' | 'https';
  /** DNS SRV discovery (`srv`, `srv_suffix`), resolved before the client starts (src/dcs/srv-discovery.ts). */
  srv?: { domain: string; suffix?: string };
  username?: string;
  password?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  use_proxies: boolean;
}

/** Backends that later issues implement; the section is kept so config validation can name it. */
export interface OtherDcsConfig {
  kind: 'consul' | 'kubernetes' | 'raft';
  section: JsonObject;
}

/** `zookeeper:`, as Patroni's ZooKeeper hands it to kazoo. */
export interface ZookeeperConfig {
  kind: 'zookeeper';
  /** host:port, in the configured order. */
  hosts: string[];
  /** [scheme, credential] pairs sent with addAuth once connected. */
  auth_data: [string, string][];
  /** `use_ssl: true`: TLS to every server (kazoo's use_ssl, ca, certfile, keyfile, keyfile_password, verify_certs). */
  tls?: ZkTlsConfig;
  /** `set_acls`: the ACL of every znode we create (kazoo's default_acl); absent: world:anyone ALL. */
  acl?: ZkAclEntry[];
}

export interface ZkTlsConfig {
  /** PEM file of CAs trusted in addition to the system's. */
  cacert?: string;
  /** Client certificate and its key (both or neither: kazoo sends a certificate only with both). */
  cert?: string;
  key?: string;
  key_password?: string;
  /** Verify the server's certificate chain (kazoo never checks the host name). */
  verify: boolean;
}

/** One ZooKeeper ACL entry: scheme (x509, digest, ip, world, ...), id and the permission bits. */
export interface ZkAclEntry {
  scheme: string;
  id: string;
  /** READ 1 | WRITE 2 | CREATE 4 | DELETE 8 | ADMIN 16 (ALL 31). */
  perms: number;
}

/** `exhibitor:`: the ZooKeeper ensemble is read from Exhibitor's cluster list, then polled. */
export interface ExhibitorConfig {
  kind: 'exhibitor';
  hosts: string[];
  port: number;
  /** Seconds between polls of the ensemble list. */
  poll_interval: number;
  auth_data: [string, string][];
  tls?: ZkTlsConfig;
  acl?: ZkAclEntry[];
}

export type DcsConfig = Etcd3Config | ZookeeperConfig | ExhibitorConfig | OtherDcsConfig;

/** The keys a postgresql.authentication.<user> section may hold (Patroni's config._AUTH_ALLOWED_PARAMETERS). */
export const PG_AUTH_KEYS: readonly string[] = [
  'username',
  'password',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'gssencmode',
  'channel_binding',
  'sslnegotiation',
];

/** postgresql.authentication.<user>: username/password plus libpq SSL keys. */
export interface PgUserAuth {
  username: string;
  password?: string;
  [libpqKey: string]: string | undefined;
}

export interface PostgresqlConfig {
  listen: { hosts: string[]; port: number };
  connect_address: string;
  proxy_address?: string;
  data_dir: string;
  config_dir: string;
  bin_dir: string;
  bin_name: Record<string, string>;
  pgpass: string;
  database: string;
  authentication: { superuser: PgUserAuth; replication: PgUserAuth; rewind?: PgUserAuth };
  parameters: JsonObject;
  pg_hba?: string[];
  pg_ident?: string[];
  use_unix_socket: boolean;
  use_unix_socket_repl: boolean;
  use_pg_rewind?: boolean;
  remove_data_directory_on_rewind_failure: boolean;
  remove_data_directory_on_diverged_timelines: boolean;
  pg_ctl_timeout: number;
  create_replica_methods: string[];
  basebackup?: Json;
  callbacks: Record<string, string>;
  /** The whole postgresql section, for keys later issues read (recovery_conf, custom methods...). */
  raw: JsonObject;
}

export interface BootstrapConfig {
  dcs: JsonObject;
  method: string;
  initdb: Json[];
  pg_hba: string[];
  post_bootstrap?: string;
  raw: JsonObject;
}

/** Tags as configured; see tags.ts for the derived predicates (nofailover, failover_priority...). */
export type Tags = JsonObject;

export interface PatroniConfig {
  scope: string;
  namespace: string;
  name: string;
  log: LogConfig;
  restapi: RestApiConfig;
  ctl: CtlConfig;
  dcs: DcsConfig;
  bootstrap: BootstrapConfig;
  postgresql: PostgresqlConfig;
  tags: Tags;
  watchdog: {
    mode: 'off' | 'automatic' | 'required';
    device: string;
    safety_margin: number;
    /** `default` (the Linux device) or `testing` (a named pipe, Patroni's test harness driver). */
    driver: string;
  };
  /** Merged document (file + env overlays) as loaded. */
  raw: JsonObject;
}

/**
 * The dynamic configuration (DCS `config` key) with defaults applied and the timing
 * rule enforced. Built by dynamic.ts from whatever JSON the DCS holds.
 */
export interface DynamicConfig {
  ttl: number;
  loop_wait: number;
  retry_timeout: number;
  maximum_lag_on_failover: number;
  maximum_lag_on_syncnode: number;
  max_timelines_history: number;
  primary_start_timeout: number;
  primary_stop_timeout: number;
  primary_race_backoff: number;
  check_timeline: boolean;
  pause: boolean;
  synchronous_mode: 'off' | 'on' | 'quorum';
  synchronous_mode_strict: boolean;
  synchronous_node_count: number;
  failsafe_mode: boolean;
  member_slots_ttl: number;
  /** standby_cluster section when active (any of host/port/restore_command set). */
  standby_cluster: JsonObject | null;
  use_slots: boolean;
  use_pg_rewind: boolean;
  /** postgresql.parameters from the DCS (protected params validated). */
  parameters: JsonObject;
  /** The source JSON, for keys read directly (slots, ignore_slots...). */
  raw: JsonObject;
}
