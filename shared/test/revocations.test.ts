import { TEST_KEY } from '@commerce-supergraph/test-support/tokens';
import { describe, expect, it } from 'vitest';
import { createTokenSigner, createTokenVerifier, InvalidTokenError } from '../src/auth/jwt.js';
import { parsePrivateKey, parsePublicKeys } from '../src/auth/keys.js';
import { RevocationList, withRevocations } from '../src/auth/revocations.js';

const settings = { issuer: 'iss', audience: 'aud', ttlSeconds: 3600 };
const signer = createTokenSigner({ ...settings, signingKey: parsePrivateKey(TEST_KEY.privateKey) });
const base = createTokenVerifier({ ...settings, publicKeys: parsePublicKeys(TEST_KEY.publicKey) });

describe('RevocationList', () => {
  it('revokes tokens issued before the instant, to the millisecond, and spares the ones issued at or after it', () => {
    const list = new RevocationList();
    const at = Date.parse('2026-12-05T10:00:00.500Z');
    list.apply({ customerId: 'c1', revokedBefore: new Date(at).toISOString() });
    expect(list.isRevoked('c1', (at - 1) / 1000)).toBe(true);
    expect(list.isRevoked('c1', at / 1000)).toBe(false);
    expect(list.isRevoked('c2', (at - 1) / 1000)).toBe(false);
  });

  it('keeps the latest instant whatever order revocations arrive in, and ignores what it cannot read', () => {
    const list = new RevocationList();
    list.apply({ customerId: 'c1', revokedBefore: '2026-12-05T10:00:02.000Z' });
    list.apply({ customerId: 'c1', revokedBefore: '2026-12-05T10:00:01.000Z' });
    expect(list.isRevoked('c1', Date.parse('2026-12-05T10:00:01.500Z') / 1000)).toBe(true);
    expect(list.apply({ customerId: 'c3', revokedBefore: 'yesterday' })).toBe(false);
    expect(list.size).toBe(1);
  });

  it('forgets revocations older than any token can live', () => {
    const list = new RevocationList(60_000);
    const now = Date.now();
    list.apply({ customerId: 'old', revokedBefore: new Date(now - 61_000).toISOString() });
    list.apply({ customerId: 'recent', revokedBefore: new Date(now - 59_000).toISOString() });
    list.prune(now);
    expect(list.isRevoked('old', (now - 120_000) / 1000)).toBe(false);
    expect(list.isRevoked('recent', (now - 120_000) / 1000)).toBe(true);
  });
});

describe('withRevocations', () => {
  it('refuses a revoked token as an invalid one, and accepts the one issued at the revocation', () => {
    const list = new RevocationList();
    const tokens = withRevocations(base, list);
    const now = Date.now();
    const before = signer.issue({ customerId: 'c1', roles: ['customer'] }, (now - 5) / 1000);
    const atRevocation = signer.issue({ customerId: 'c1', roles: ['customer'] }, now / 1000);
    expect(tokens.verify(before).customerId).toBe('c1');
    list.apply({ customerId: 'c1', revokedBefore: new Date(now).toISOString() });
    expect(() => tokens.verify(before)).toThrow(InvalidTokenError);
    expect(tokens.verify(atRevocation)).toMatchObject({ customerId: 'c1', issuedAt: now / 1000 });
  });
});

describe('issued tokens', () => {
  it('carry their millisecond exactly, so the revocation at that millisecond never revokes them', () => {
    const list = new RevocationList();
    const tokens = withRevocations(base, list);
    const start = Date.now();
    for (let ms = start; ms < start + 2_000; ms += 1) {
      const viewer = base.verify(signer.issue({ customerId: 'c1', roles: ['customer'] }, ms / 1000), ms / 1000);
      expect(Math.round(viewer.issuedAt * 1000)).toBe(ms);
    }
    list.apply({ customerId: 'c1', revokedBefore: new Date(start).toISOString() });
    expect(tokens.verify(signer.issue({ customerId: 'c1', roles: ['customer'] }, start / 1000)).customerId).toBe('c1');
  });
});
