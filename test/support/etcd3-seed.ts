// A two-member cluster written straight into a test etcd with our Etcd3 client: pg1 holds the leader
// key as a running primary, pg2 is a running replica at the same position. For tests of what readers
// (patronictl, ours or Debian's) make of keys written by us.
import assert from 'node:assert/strict';
import { Etcd3 } from '../../src/dcs/etcd3.js';

export interface SeededCluster {
  primary: Etcd3;
  replica: Etcd3;
  close(): Promise<void>;
}

export async function seedPrimaryAndReplica(o: {
  hostPort: string;
  scope: string;
  primaryApi: string;
  replicaApi: string;
  config?: string;
}): Promise<SeededCluster> {
  const client = (name: string) =>
    new Etcd3({ scope: o.scope, namespace: '/service', name, hosts: [o.hostPort], protocol: 'http', ttl: 30, loopWait: 10, retryTimeout: 10, mode: 'daemon' });
  const primary = client('pg1');
  const replica = client('pg2');
  const close = async () => {
    await primary.close();
    await replica.close();
  };
  try {
    assert.equal(await primary.initialize(true, '7000000000000000001'), true);
    if (o.config !== undefined) assert.equal(await primary.setConfigValue(o.config), true);
    assert.equal(await primary.attemptToAcquireLeader(), true);
    const common = { state: 'running', version: '4.1.4', xlog_location: 100, timeline: 1 } as const;
    assert.equal(await primary.touchMember({ ...common, conn_url: 'postgres://127.0.0.1:5432/postgres', api_url: o.primaryApi, role: 'primary' }), true);
    assert.equal(
      await replica.touchMember({
        ...common,
        conn_url: 'postgres://127.0.0.1:5433/postgres',
        api_url: o.replicaApi,
        role: 'replica',
        replay_lsn: 100,
        receive_lsn: 100,
      }),
      true,
    );
  } catch (e) {
    await close();
    throw e;
  }
  return { primary, replica, close };
}
