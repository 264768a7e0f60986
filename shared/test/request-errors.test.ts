import { GraphQLError, type GraphQLFormattedError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter } from '../src/graphql/errors.js';
import { boundRequestErrors, findNulCharacter, MAX_REQUEST_ERRORS } from '../src/graphql/request-errors.js';

const validation = (message: string, line = 1, column = 1): GraphQLFormattedError => ({
  message,
  locations: [{ line, column }],
  extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
});

describe('boundRequestErrors', () => {
  it('reports identical errors once, with every location', () => {
    const repeated = Array.from({ length: 10 }, (_, index) => validation('Unknown directive "@x".', 1, 10 + index));
    expect(boundRequestErrors(repeated)).toEqual([
      {
        message: 'Unknown directive "@x".',
        locations: Array.from({ length: 10 }, (_, index) => ({ line: 1, column: 10 + index })),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });

  it('keeps errors apart that differ in message, code or path', () => {
    const errors: GraphQLFormattedError[] = [
      validation('A'),
      validation('B'),
      { message: 'A', extensions: { code: 'BAD_USER_INPUT' } },
      { message: 'A', path: ['x'], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ];
    expect(boundRequestErrors(errors)).toHaveLength(4);
  });

  it('keeps at most ten, then one that says how many more there were', () => {
    const errors = Array.from({ length: 25 }, (_, index) => validation(`Cannot query field "f${index}".`));
    const bounded = boundRequestErrors(errors);
    expect(bounded).toHaveLength(MAX_REQUEST_ERRORS + 1);
    expect(bounded.slice(0, MAX_REQUEST_ERRORS)).toEqual(errors.slice(0, MAX_REQUEST_ERRORS));
    expect(bounded.at(-1)).toEqual({
      message: 'Too many errors: 15 more not shown.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it("leaves graphql-js's own last word when validation stopped at the limit", () => {
    const errors = [
      ...Array.from({ length: MAX_REQUEST_ERRORS }, (_, index) => validation(`E${index}`)),
      validation('Too many validation errors, error limit reached. Validation aborted.'),
    ];
    expect(boundRequestErrors(errors)).toEqual(errors);
  });
});

describe('findNulCharacter', () => {
  it('finds U+0000 in a variable at any depth, without recursion', () => {
    let deep: unknown = 'a\u0000b';
    for (let level = 0; level < 100_000; level++) deep = level % 2 ? { a: deep } : [deep];
    expect(findNulCharacter({ ok: 'fine', input: deep })).toBe('Variable "$input"');
  });

  it('finds it in a string literal of the document', () => {
    expect(findNulCharacter({}, parse('{ a(b: "x\\u0000y") }'))).toBe('A string in the document');
  });

  it('answers the same for a document seen before, whatever the variables', () => {
    const dirty = parse('{ a(b: "x\\u0000y") }');
    const clean = parse('{ a(b: "xy") }');
    for (let i = 0; i < 2; i += 1) {
      expect(findNulCharacter({}, dirty)).toBe('A string in the document');
      expect(findNulCharacter({}, clean)).toBeUndefined();
      expect(findNulCharacter({ v: 'a\u0000' }, clean)).toBe('Variable "$v"');
    }
  });

  it('finds nothing in clean text, control characters other than NUL included', () => {
    expect(
      findNulCharacter({ a: ['\u0001\u001f', { b: 'é' }], n: 1, z: null }, parse('{ a(b: "c") }')),
    ).toBeUndefined();
    expect(findNulCharacter(undefined)).toBeUndefined();
  });
});

describe('createErrorFormatter', () => {
  // What Apollo throws for a persisted query of an unknown version: HTTP 400, no code.
  const codeless = { message: 'Unsupported persisted query version', extensions: { http: { status: 400 } } };
  const formatted: GraphQLFormattedError = {
    message: 'Unsupported persisted query version',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };

  it('calls an error Apollo answers with a 4xx but no code BAD_REQUEST, so production shows it', () => {
    expect(createErrorFormatter(true)(formatted, codeless)).toEqual({
      message: 'Unsupported persisted query version',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(createErrorFormatter(false)(formatted, codeless).extensions?.code).toBe('BAD_REQUEST');
  });

  it('answers a database outage with SERVICE_UNAVAILABLE at its path, in production and development', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const atField = new GraphQLError(refused.message, { path: ['placeOrder'], originalError: refused });
    const field: GraphQLFormattedError = { message: refused.message, path: ['placeOrder'], extensions: {} };
    for (const production of [true, false]) {
      expect(createErrorFormatter(production)(field, atField)).toEqual({
        message: 'Service temporarily unavailable',
        path: ['placeOrder'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    }
    // A plain bug is still masked: only an absent database is an outage.
    const bug = new GraphQLError('x is undefined', { path: ['placeOrder'], originalError: new TypeError('x') });
    expect(createErrorFormatter(true)(field, bug).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('still masks an error without a code that is no 4xx', () => {
    expect(createErrorFormatter(true)(formatted, { message: 'boom', extensions: {} })).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});
