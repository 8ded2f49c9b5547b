// Proves the cluster harness against the reference implementation: Debian's Patroni 3.0.2 forms a
// 3-node cluster on etcd3 from the harness's YAML, and writes on the leader reach both replicas.
import { describeClusterSmoke } from './smoke.js';

describeClusterSmoke('Debian Patroni cluster via the harness', { impl: 'debian' });
