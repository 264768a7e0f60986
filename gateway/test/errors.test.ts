import type { GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGatewayErrorFormatter, withoutSuggestions } from '../src/errors.js';

const internal: GraphQLFormattedError = {
  message: 'relation "customers" does not exist: SELECT * FROM customers (db-7.internal:5432)',
  path: ['me'],
  extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'customer', stacktrace: ['Error: relation ...'] },
};
const downstreamForbidden: GraphQLFormattedError = {
  message: "You may not access another customer's data",
  path: ['customer'],
  extensions: {
    code: 'FORBIDDEN',
    serviceName: 'customer',
    response: { url: 'http://customer.internal:4001/graphql', status: 200 },
  },
};

describe('gateway error formatter', () => {
  it('masks internal errors in production: generic message, code, no stack, no subgraph', () => {
    expect(createGatewayErrorFormatter(true)(internal)).toEqual({
      message: 'Internal server error',
      path: ['me'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps a client-safe message in production but drops what it says about the subgraph', () => {
    expect(createGatewayErrorFormatter(true)(downstreamForbidden)).toEqual({
      message: "You may not access another customer's data",
      path: ['customer'],
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('passes details through in development', () => {
    expect(createGatewayErrorFormatter(false)(internal)).toEqual(internal);
  });

  it('strips suggestions everywhere, the development stack trace included', () => {
    const suggested: GraphQLFormattedError = {
      message: 'Cannot query field "nme" on type "Customer". Did you mean "name"?',
      extensions: {
        code: 'GRAPHQL_VALIDATION_FAILED',
        stacktrace: ['GraphQLError: Cannot query field "nme" on type "Customer". Did you mean "name"?', '    at x'],
      },
    };
    for (const production of [true, false]) {
      const formatted = createGatewayErrorFormatter(production)(suggested);
      expect(formatted.message).toBe('Cannot query field "nme" on type "Customer".');
      expect(JSON.stringify(formatted)).not.toMatch(/did you mean/i);
    }
  });

  it('strips every form graphql-js uses', () => {
    expect(withoutSuggestions('Value "REDD" does not exist in "Color" enum. Did you mean the enum value "RED"?')).toBe(
      'Value "REDD" does not exist in "Color" enum.',
    );
    expect(withoutSuggestions('Unknown type "Nod". Did you mean "Node", "Note", or "Notes"?')).toBe(
      'Unknown type "Nod".',
    );
    expect(withoutSuggestions('Field "x" is not defined by type "In".')).toBe('Field "x" is not defined by type "In".');
  });
});
