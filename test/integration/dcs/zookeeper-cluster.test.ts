// The shared backend scenarios (scenarios.ts) and a mixed cluster with Debian's Patroni, on zookeeper.
import { describeBackendScenarios, describeMixedCluster } from './scenarios.js';

describeBackendScenarios('zookeeper');
describeMixedCluster('zookeeper');
