// The subset of node-zookeeper-client 1.1 this backend uses (the package ships no types).
declare module 'node-zookeeper-client' {
  import type { EventEmitter } from 'node:events';

  export interface Stat {
    version: number;
    /** 8-byte session id of the owner; all zeros for persistent nodes. */
    ephemeralOwner: Buffer;
    mzxid: Buffer;
    numChildren: number;
  }
  export interface ZkEvent {
    type: number;
    name: string;
    path: string;
    getType(): number;
    getPath(): string;
  }
  export interface ZkException extends Error {
    code: number;
    getCode(): number;
  }
  export interface ZkState {
    name: string;
    code: number;
  }
  export type Watcher = (event: ZkEvent) => void;
  type Cb<T extends unknown[]> = (error: ZkException | null | undefined, ...rest: T) => void;

  export interface Client extends EventEmitter {
    connect(): void;
    close(): void;
    getState(): ZkState;
    getSessionId(): Buffer;
    getSessionTimeout(): number;
    getSessionPassword(): Buffer;
    addAuthInfo(scheme: string, auth: Buffer): void;
    create(path: string, data: Buffer | null, acls: unknown[], mode: number, callback: Cb<[string]>): void;
    remove(path: string, version: number, callback: Cb<[]>): void;
    setData(path: string, data: Buffer, version: number, callback: Cb<[Stat]>): void;
    getData(path: string, watcher: Watcher | undefined, callback: Cb<[Buffer | null, Stat]>): void;
    getChildren(path: string, watcher: Watcher | undefined, callback: Cb<[string[], Stat]>): void;
    exists(path: string, watcher: Watcher | undefined, callback: Cb<[Stat | null]>): void;
    mkdirp(path: string, data: Buffer | null, acls: unknown[], mode: number, callback: Cb<[string]>): void;
    getACL(path: string, callback: Cb<[ACL[], Stat]>): void;
  }
  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
    sessionId?: Buffer;
    sessionPassword?: Buffer;
  }
  export function createClient(connectionString: string, options?: ClientOptions): Client;

  export const CreateMode: { PERSISTENT: number; EPHEMERAL: number };
  export class Id {
    constructor(scheme: string, id: string);
    scheme: string;
    id: string;
  }
  export class ACL {
    constructor(permission: number, id: Id);
    permission: number;
    id: Id;
    static OPEN_ACL_UNSAFE: ACL[];
  }
  export const Event: { NODE_CREATED: number; NODE_DELETED: number; NODE_DATA_CHANGED: number; NODE_CHILDREN_CHANGED: number };
  export const State: { DISCONNECTED: ZkState; SYNC_CONNECTED: ZkState; EXPIRED: ZkState; AUTH_FAILED: ZkState; CONNECTED_READ_ONLY: ZkState };
  export const Exception: {
    NO_NODE: number;
    NODE_EXISTS: number;
    BAD_VERSION: number;
    NOT_EMPTY: number;
    CONNECTION_LOSS: number;
    SESSION_EXPIRED: number;
    OPERATION_TIMEOUT: number;
    NO_AUTH: number;
    AUTH_FAILED: number;
  };
  const zk: {
    createClient: typeof createClient;
    CreateMode: typeof CreateMode;
    ACL: typeof ACL;
    Id: typeof Id;
    Event: typeof Event;
    State: typeof State;
    Exception: typeof Exception;
  };
  export default zk;
}
