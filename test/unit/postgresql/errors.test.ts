// Errors of normal operation (issue 10 item 6): a session ended by a shutdown, restart or demotion,
// a server still starting or not there, are recognised, so the HA loop never logs them as a BUG.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSessionLoss } from '../../../src/postgresql/errors.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
const sysError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

test('session losses of normal operation', () => {
  for (const e of [
    pgError('57P01', 'terminating connection due to administrator command'),
    pgError('57P02', 'terminating connection because of crash of another server process'),
    pgError('57P03', 'the database system is starting up'),
    pgError('08006', 'connection failure'),
    sysError('ECONNREFUSED'),
    sysError('ENOENT'),
    sysError('ECONNRESET'),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
  ])
    assert.equal(isSessionLoss(e), true, e.message);
});

test('real defects are not hidden', () => {
  for (const e of [pgError('42601', 'syntax error at or near "SELEC"'), new TypeError("Cannot read properties of undefined (reading 'x')"), 'a string']) {
    assert.equal(isSessionLoss(e), false, String(e));
  }
});
