// Cluster test harness: see cluster.ts for the before()/after() pattern.
export { startCluster, TestCluster, type StartClusterOptions } from './cluster.js';
export { ClusterNode, daemonCommand, REPO_ROOT, TS_CTL, TS_DAEMON, type ApiResponse, type Impl } from './node.js';
export { nodeConfig, PG_BIN_DIR, REPLICATION, SUPERUSER } from './config.js';
export { leaderOf, streamingReplicas, type NodeStatus } from './status.js';
