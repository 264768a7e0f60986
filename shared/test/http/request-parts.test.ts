import { expect, it } from 'vitest';
import { requestTarget } from '../../src/http/request-parts.js';

it('reads the path and query of a request target, the plain /graphql without a URL parse', () => {
  expect(requestTarget('/graphql')).toEqual({ pathname: '/graphql', search: '' });
  expect(requestTarget('/graphql?query=%7Ba%7D')).toMatchObject({ pathname: '/graphql', search: '?query=%7Ba%7D' });
  // Any other spelling goes through URL, normalized as before.
  expect(requestTarget('/x/../graphql')).toMatchObject({ pathname: '/graphql', search: '' });
  expect(requestTarget('/ready')).toMatchObject({ pathname: '/ready' });
  expect(requestTarget(undefined)).toMatchObject({ pathname: '/' });
});
