// The shared backend scenarios (scenarios.ts) and a mixed cluster with Debian's Patroni, on exhibitor.
import { describeBackendScenarios, describeMixedCluster } from './scenarios.js';

describeBackendScenarios('exhibitor');
describeMixedCluster('exhibitor');
