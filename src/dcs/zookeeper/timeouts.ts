// Patroni's session rules for ZooKeeper (patroni/dcs/zookeeper.py), as numbers. Pure.
// - ZooKeeper.set_ttl: the session timeout is `ttl`; a new ttl needs a new session.
// - ZooKeeper._kazoo_connect: the read timeout is max(loop_wait - 2, 2) s rather than kazoo's 2/3 of
//   the session, so a dead server is left (and the next one tried) within loop_wait: a ping is sent
//   after half of it without traffic, and the connection dropped when the other half passes unanswered.
// - PatroniSequentialThreadingHandler.create_connection: "fail earlier and retry more often", a connect
//   attempt (TCP and TLS handshake) gets max(1, loop_wait / 2, ttl / 10) s.
// - ZooKeeper.set_retry_timeout: every request has `retry_timeout` as its deadline (ZkSession.deadline).

export interface ZkTimeoutInputs {
  ttl: number;
  loopWait: number;
}

export interface ZkTimeouts {
  sessionMs: number;
  /** Without any byte from the server for this long, the connection is dropped. */
  readMs: number;
  /** Idle time after which a ping is sent (half the read timeout, as kazoo). */
  pingMs: number;
  connectMs: number;
}

/** Patroni's session timeout is `ttl` (ZooKeeper clamps it to the server's min/max session timeout). */
export function sessionTimeoutMs(ttl: number): number {
  return Math.round(ttl * 1000);
}

export function zkTimeouts({ ttl, loopWait }: ZkTimeoutInputs): ZkTimeouts {
  const readMs = Math.max(loopWait - 2, 2) * 1000;
  return {
    sessionMs: sessionTimeoutMs(ttl),
    readMs,
    pingMs: Math.floor(readMs / 2),
    connectMs: Math.round(Math.max(1, loopWait / 2, ttl / 10) * 1000),
  };
}
