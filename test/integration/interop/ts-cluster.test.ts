// The same scenario with our daemon (dist/patroni.mjs) on every node.
import { describeClusterSmoke } from './smoke.js';

describeClusterSmoke('patroni-ts cluster via the harness', { impl: 'ts' });
