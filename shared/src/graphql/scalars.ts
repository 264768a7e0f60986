import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';

/**
 * Money and other exact quantities travel as decimal strings ("19.99"), never floats. The scalar
 * accepts a string or a finite number literal and always hands resolvers a normalised string.
 */
const DECIMAL = /^-?\d{1,18}(\.\d{1,8})?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text.trim())) {
    throw new GraphQLError(`Decimal must be a decimal number such as "19.99", got ${JSON.stringify(value)}`);
  }
  return text.trim();
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number as a string, e.g. "19.99". Never a float.',
  serialize: (value) => parseDecimal(value),
  parseValue: (value) => parseDecimal(value),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string or number literal');
  },
});

/** ISO-8601 instant in UTC, e.g. 2026-11-21T10:00:00.000Z. */
const DateTimeScalar = new GraphQLScalarType({ ...DateTimeResolver.toConfig(), name: 'DateTime' });

/** A calendar date without time, e.g. 1990-05-17, exchanged as a string. */
export const DateScalar = new GraphQLScalarType({ ...LocalDateResolver.toConfig(), name: 'Date' });

/** Registered with type-graphql so `Date` properties map to DateTime unless a field says otherwise. */
export const scalarsMap = [{ type: Date, scalar: DateTimeScalar }];
