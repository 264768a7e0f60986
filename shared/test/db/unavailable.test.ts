import { ConnectionException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { isDatabaseBusy, isDatabaseUnavailable } from '../../src/db/unavailable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a host name that does not resolve (yet)', withCode('getaddrinfo EAI_AGAIN db', 'EAI_AGAIN')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a server still starting', withCode('the database system is starting up', '57P03')],
    ['a server in recovery, by message only', new Error('the database system is in recovery mode')],
    ['an immediate shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['a crash shutdown', withCode('terminating connection because of crash of another server process', '57P02')],
    ['a connection exception (class 08)', withCode('connection failure', '08006')],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['a lease the pool guard discarded', new Error('Cannot query a connection discarded: read ECONNRESET')],
    ['a query past the pool guard deadline', new Error('query did not answer within 35000 ms')],
    ["MikroORM's ConnectionException", new ConnectionException(new Error('whatever the driver said'))],
    ['a MikroORM-wrapped 57P03 (sqlState)', Object.assign(new Error('wrapped'), { sqlState: '57P03' })],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('looks through causes and AggregateErrors (how pg reports a host with several addresses)', () => {
    const refused = withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED');
    expect(isDatabaseUnavailable(new Error('order not placed', { cause: refused }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([new Error('x'), refused], ''))).toBe(true);
  });

  it.each([
    // A busy database (isDatabaseBusy): waiting for it at once would only lengthen its queue.
    ['a pool acquire timeout', new Error('timeout exceeded when trying to connect')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['a unique violation', new UniqueConstraintViolationException(withCode('duplicate key', '23505'))],
    ['a statement timeout (the work is too slow, not the database away)', withCode('canceling statement', '57014')],
    ['a serialization failure', withCode('could not serialize access', '40001')],
    ['a domain error', new Error('product 42 is unknown')],
    ['a plain string', 'ECONNREFUSED'],
    ['undefined', undefined],
    ['null', null],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe('isDatabaseBusy', () => {
  it('is true when no connection was free in time, or the server refused one more, also as a cause', () => {
    expect(isDatabaseBusy(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseBusy(withCode('sorry, too many clients already', '53300'))).toBe(true);
    const wrapped = new Error('order not placed', { cause: new Error('timeout exceeded when trying to connect') });
    expect(isDatabaseBusy(wrapped)).toBe(true);
  });

  it('is false for an absent database and for other errors', () => {
    expect(isDatabaseBusy(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(false);
    expect(isDatabaseBusy(new Error('Connection terminated due to connection timeout'))).toBe(false);
    expect(isDatabaseBusy(new Error('product 42 is unknown'))).toBe(false);
    expect(isDatabaseBusy(undefined)).toBe(false);
  });
});
