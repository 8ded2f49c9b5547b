import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyWriteError, tryOrder } from '../../../bench/writer.js';

test('direct writer: after a failure the other nodes are tried in turn, the failed one last', () => {
  assert.deepEqual(tryOrder(3, 0), [1, 2, 0]);
  assert.deepEqual(tryOrder(3, 1), [2, 0, 1]);
  assert.deepEqual(tryOrder(3, 2), [0, 1, 2]); // also the first round: starts at node 0
  assert.deepEqual(tryOrder(1, 0), [0]); // one address (HAProxy): reconnect to it
});

test('direct writer: read-only, shutting-down and unreachable nodes are told apart', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
  assert.equal(classifyWriteError(pgError('25006', 'cannot execute INSERT in a read-only transaction')), 'read-only');
  assert.equal(classifyWriteError(pgError('57P03', 'the database system is shutting down')), 'not-accepting');
  assert.equal(classifyWriteError(pgError('57P01', 'terminating connection due to administrator command')), 'not-accepting');
  assert.equal(classifyWriteError(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')), 'unreachable');
  assert.equal(classifyWriteError(new Error('Connection terminated due to connection timeout')), 'unreachable');
  assert.equal(classifyWriteError(pgError('23505', 'duplicate key')), 'other');
  assert.equal(classifyWriteError('a string'), 'other');
});
