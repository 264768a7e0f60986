import { TEST_KEY } from '@commerce-supergraph/test-support/tokens';
import { describe, expect, it } from 'vitest';
import { createTokenSigner, createTokenVerifier, InvalidTokenError } from '../src/auth/jwt.js';
import { parsePrivateKey, parsePublicKeys } from '../src/auth/keys.js';
import { RevocationList, withRevocations } from '../src/auth/revocations.js';
import { VerifiedTokenCache } from '../src/auth/token-cache.js';

const settings = { issuer: 'iss', audience: 'aud', ttlSeconds: 60 };
const signer = createTokenSigner({ ...settings, signingKey: parsePrivateKey(TEST_KEY.privateKey) });
const verifierOf = (cacheSize?: number) =>
  createTokenVerifier({ ...settings, publicKeys: parsePublicKeys(TEST_KEY.publicKey) }, { cacheSize });
const issue = (customerId: string, now: number) => signer.issue({ customerId, roles: ['customer'] }, now);

describe('the verified-token cache of a verifier', () => {
  // The same object, where verifying in full builds a new one (the cache size 0 test below).
  it('answers a token seen before with the same viewer, frozen as every request shares it', () => {
    const verifier = verifierOf();
    const now = Date.now() / 1000;
    const token = issue('c1', now);
    const first = verifier.verify(token, now);
    const second = verifier.verify(token, now + 1);
    expect(second).toBe(first);
    expect(first).toMatchObject({ customerId: 'c1', roles: ['customer'] });
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
  });

  it('refuses a cached token from its exp on, and never caches a token that did not verify', () => {
    const verifier = verifierOf();
    const now = 1_800_000_000;
    const token = issue('c1', now);
    expect(verifier.verify(token, now).customerId).toBe('c1');
    expect(verifier.verify(token, now + 59.999).customerId).toBe('c1');
    expect(() => verifier.verify(token, now + 60)).toThrow('expired');
    expect(() => verifier.verify(token, now + 3600)).toThrow('expired');
    // The clock rules apply to a cached token as to a new one, in either direction.
    expect(() => verifier.verify(token, now - 61)).toThrow('issued in the future');
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect(() => verifier.verify(tampered, now)).toThrow('bad signature');
    expect(() => verifier.verify(tampered, now)).toThrow('bad signature');
  });

  it('still refuses a revoked customer whose token it holds: revocations are checked on every use', () => {
    const list = new RevocationList();
    const tokens = withRevocations(verifierOf(), list);
    const now = Date.now();
    const before = issue('c1', (now - 5) / 1000);
    expect(tokens.verify(before).customerId).toBe('c1');
    expect(tokens.verify(before).customerId).toBe('c1');
    list.apply({ customerId: 'c1', revokedBefore: new Date(now).toISOString() });
    expect(() => tokens.verify(before)).toThrow(InvalidTokenError);
    expect(() => tokens.verify(before)).toThrow('revoked');
  });

  it('verifies every token in full with a cache size of 0', () => {
    const verifier = verifierOf(0);
    const now = Date.now() / 1000;
    const token = issue('c1', now);
    expect(verifier.verify(token, now)).not.toBe(verifier.verify(token, now));
  });
});

describe('VerifiedTokenCache', () => {
  const entry = (n: number) => ({ viewer: n, exp: 2, iat: 1, nbf: undefined });

  it('holds at most maxEntries, dropping the least recently used first', () => {
    const cache = new VerifiedTokenCache<number>(3);
    for (const n of [1, 2, 3]) cache.set(`t${n}`, entry(n));
    expect(cache.get('t1')?.viewer).toBe(1); // t2 is now the least recently used
    cache.set('t4', entry(4));
    expect(cache.size).toBe(3);
    expect(cache.get('t2')).toBeUndefined();
    expect([1, 3, 4].map((n) => cache.get(`t${n}`)?.viewer)).toEqual([1, 3, 4]);
    for (let n = 5; n < 1_000; n += 1) cache.set(`t${n}`, entry(n));
    expect(cache.size).toBe(3);
    cache.set('t999', entry(999)); // a token set again takes no second place
    expect(cache.size).toBe(3);
  });

  it('a verifier keeps its bound whatever tokens arrive', () => {
    const verifier = verifierOf(2);
    const now = Date.now() / 1000;
    const tokens = ['c1', 'c2', 'c3'].map((id) => issue(id, now));
    const viewers = tokens.map((token) => verifier.verify(token, now));
    expect(verifier.verify(tokens[2] as string, now)).toBe(viewers[2]);
    expect(verifier.verify(tokens[1] as string, now)).toBe(viewers[1]);
    // The first was evicted: verified again, a new viewer.
    expect(verifier.verify(tokens[0] as string, now)).not.toBe(viewers[0]);
  });
});
