// Classification of ZooKeeper results (patroni/dcs/zookeeper.py): the server's answer to *this*
// request (node exists, bad version, no node) is a refusal, the operation's result `false`; a lost
// connection, an expired session or a timeout is a DCS failure. Pure.

/** ZooKeeper error codes (KeeperException.Code). */
export const ZkCode = {
  ConnectionLoss: -4,
  OperationTimeout: -7,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NodeExists: -110,
  NotEmpty: -111,
  SessionExpired: -112,
  AuthFailed: -115,
} as const;

/** ZooKeeper answered and refused the request. */
export class ZkRefusal extends Error {
  override readonly name = 'ZkRefusal';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export type ZkResult = { kind: 'refused'; error: ZkRefusal } | { kind: 'unavailable'; reason: string };

const REFUSALS = new Set<number>([ZkCode.NoNode, ZkCode.NoAuth, ZkCode.BadVersion, ZkCode.NodeExists, ZkCode.NotEmpty]);

export function classifyZkError(code: number | undefined, message: string, path: string): ZkResult {
  const text = `${message} (${path})`;
  if (code !== undefined && REFUSALS.has(code)) return { kind: 'refused', error: new ZkRefusal(text, code) };
  return { kind: 'unavailable', reason: text };
}

/** Session ids as Patroni shows them: the 64-bit owner id in hex; a persistent node has none. */
export function sessionIdOf(owner: Buffer | undefined): string | undefined {
  if (!owner || owner.every((b) => b === 0)) return undefined;
  return owner.toString('hex');
}
