// The shared backend scenarios (scenarios.ts) and a mixed cluster with Debian's Patroni, on etcd2.
import { describeBackendScenarios, describeMixedCluster } from './scenarios.js';

describeBackendScenarios('etcd2');
describeMixedCluster('etcd2');
