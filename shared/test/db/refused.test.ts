import { ConnectionException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { CommitRefused, postgresCode, refusedByServer } from '../../src/db/refused.js';

/** An error as pg gives PostgreSQL's answers: a SQLSTATE and a severity. */
const fromServer = (message: string, code: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('refusedByServer: nothing of the transaction committed', () => {
  it.each([
    ['a unique key taken', fromServer('duplicate key value violates unique constraint', '23505')],
    ['the same, as MikroORM converts it', new UniqueConstraintViolationException(fromServer('duplicate key', '23505'))],
    ['a deadlock', fromServer('deadlock detected', '40P01')],
    ['a lock not free in time', fromServer('canceling statement due to lock timeout', '55P03')],
    ['a commit answered ROLLBACK', new CommitRefused('commit refused')],
    ['a refusal as the cause of another error', new Error('placing failed', { cause: fromServer('check', '23514') })],
  ])('%s', (_, error) => {
    expect(refusedByServer(error)).toBe(true);
  });
});

describe('refusedByServer: a commit may have gone through', () => {
  it.each([
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a broken pipe, five letters like a SQLSTATE', withCode('write EPIPE', 'EPIPE')],
    ['a SQLSTATE-like code that PostgreSQL did not send', withCode('not from the server', '23505')],
    ['a connection exception (class 08)', fromServer('connection failure', '08006')],
    ['the same, as MikroORM converts it', new ConnectionException(fromServer('connection failure', '08006'))],
    ['a server shutting down (class 57)', fromServer('terminating connection due to administrator command', '57P01')],
    ['a statement cancelled (class 57)', fromServer('canceling statement due to statement timeout', '57014')],
    ['an internal error (class XX)', fromServer('internal error', 'XX000')],
    ["the client's deadline", new Error('query did not answer within 35000 ms')],
    ['not an error at all', 'connection lost'],
  ])('%s', (_, error) => {
    expect(refusedByServer(error)).toBe(false);
  });
});

describe('postgresCode: the SQLSTATE of what PostgreSQL itself answered', () => {
  it("reads it from pg's error and from MikroORM's, which copies it", () => {
    expect(postgresCode(fromServer('duplicate key', '23505'))).toBe('23505');
    expect(postgresCode(new UniqueConstraintViolationException(fromServer('duplicate key', '23505')))).toBe('23505');
  });

  it('has none for a socket error, whose code has the same shape, nor for anything else', () => {
    expect(postgresCode(withCode('write EPIPE', 'EPIPE'))).toBeUndefined();
    expect(postgresCode(new Error('Connection terminated unexpectedly'))).toBeUndefined();
    expect(postgresCode(undefined)).toBeUndefined();
  });
});
