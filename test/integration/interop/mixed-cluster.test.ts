// Drop-in compatibility: Debian's Patroni and ours in one cluster, sharing the DCS keys. node1 starts
// first and leads; the other two must join it, in both directions.
import { describeClusterSmoke, mixed } from './smoke.js';

describeClusterSmoke('Debian leader, patroni-ts replicas', { impl: 'ts', implFor: mixed('debian', 'ts'), staggered: true });
describeClusterSmoke('patroni-ts leader, Debian replicas', { impl: 'ts', implFor: mixed('ts', 'debian'), staggered: true });
