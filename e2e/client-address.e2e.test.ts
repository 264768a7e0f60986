import { LoginDocument, RegisterCustomerDocument } from '@commerce-supergraph/storefront/gql';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';
import { userErrors } from './support/user-errors.js';

/**
 * The per-client login limit behind a load balancer: here the tests are the proxy, at 127.0.0.1.
 * One gateway trusts it (TRUSTED_PROXIES=127.0.0.1), the other trusts no proxy (the default).
 */
let graph: TestSupergraph;
let proxied: string;

beforeAll(async () => {
  graph = await startSupergraph({ customerEnv: { LOGIN_MAX_FAILURES_PER_CLIENT: '3' } });
  proxied = await graph.startGateway({ TRUSTED_PROXIES: '127.0.0.1' });
});
afterAll(() => graph?.stop());

const send = <TData, TVariables extends { input: unknown }>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  input: TVariables['input'],
  forwardedFor?: string,
) =>
  postGraphQL(url, document, { input } as TVariables, {
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
const login = (url: string, email: string, password: string, forwardedFor?: string) =>
  send(url, LoginDocument, { email, password }, forwardedFor);

describe('client addresses behind a trusted proxy', () => {
  it('throttles two clients behind the proxy separately', async () => {
    const registered = await send(
      proxied,
      RegisterCustomerDocument,
      { name: 'Bea', email: 'bea.proxied@example.com', password: 'correct-horse' },
      '198.51.100.2',
    );
    expect(userErrors(registered, 'registerCustomer')).toEqual([]);

    // Client A probes three emails and is then refused, whatever it writes in front of its address.
    for (let n = 0; n < 3; n++) {
      const res = await login(proxied, `probe${n}@example.com`, 'guess', '198.51.100.1');
      expect(userErrors(res, 'login')).toEqual([['input', 'INVALID_CREDENTIALS']]);
    }
    const refused = await login(proxied, 'probe9@example.com', 'guess', '198.51.100.1');
    expect(userErrors(refused, 'login')).toEqual([['input', 'TOO_MANY_ATTEMPTS']]);
    const spoofing = await login(proxied, 'probe9@example.com', 'guess', '198.51.100.2, 198.51.100.1');
    expect(userErrors(spoofing, 'login')).toEqual([['input', 'TOO_MANY_ATTEMPTS']]);

    // Client B, behind the same proxy, is not held back by A.
    const wrong = await login(proxied, 'bea.proxied@example.com', 'not-it', '198.51.100.2');
    expect(userErrors(wrong, 'login')).toEqual([['input', 'INVALID_CREDENTIALS']]);
    const right = await login(proxied, 'bea.proxied@example.com', 'correct-horse', '198.51.100.2');
    expect(right.data?.login.token).toEqual(expect.any(String));
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    for (let n = 0; n < 3; n++) {
      const res = await login(graph.gatewayUrl, `spoof${n}@example.com`, 'guess', `203.0.113.${n}`);
      expect(userErrors(res, 'login')).toEqual([['input', 'INVALID_CREDENTIALS']]);
    }
    // Three "different" clients were one: the peer, 127.0.0.1.
    const refused = await login(graph.gatewayUrl, 'spoof9@example.com', 'guess', '203.0.113.9');
    expect(userErrors(refused, 'login')).toEqual([['input', 'TOO_MANY_ATTEMPTS']]);
  });
});
