import { generateKeyPairSync, sign } from 'node:crypto';
import { forgeries, forgeToken, newKeyPair } from '@commerce-supergraph/test-support/tokens';
import { importSPKI, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  CLOCK_SKEW_SECONDS,
  createTokenSigner,
  createTokenVerifier,
  InvalidTokenError,
  MAX_TOKEN_LIFETIME_SECONDS,
} from '../src/auth/jwt.js';
import { parsePrivateKey, parsePublicKeys } from '../src/auth/keys.js';

const settings = { issuer: 'iss', audience: 'aud', ttlSeconds: 60 };
const ed25519 = newKeyPair('ed25519');
const p256 = newKeyPair('p256');
const signerOf = (pem: string) => createTokenSigner({ ...settings, signingKey: parsePrivateKey(pem) });
const verifierOf = (...pems: string[]) =>
  createTokenVerifier({ ...settings, publicKeys: pems.flatMap((pem) => parsePublicKeys(pem)) });

const verifier = verifierOf(ed25519.publicKey);
const signer = signerOf(ed25519.privateKey);
const now = Math.floor(Date.now() / 1000);
const header = (overrides: Record<string, unknown> = {}) => ({
  alg: 'EdDSA',
  typ: 'JWT',
  kid: ed25519.kid,
  ...overrides,
});
const claimSet = (overrides: Record<string, unknown> = {}) => ({
  sub: 'c1',
  roles: ['customer'],
  iss: 'iss',
  aud: 'aud',
  iat: now,
  exp: now + 60,
  ...overrides,
});
const byTheKey = (h: Record<string, unknown>, c: Record<string, unknown>) =>
  forgeToken(h, c, { kind: 'key', privateKey: ed25519.privateKey, alg: 'EdDSA' });
const refused = (token: string, reason?: string) => {
  expect(() => verifier.verify(token)).toThrow(InvalidTokenError);
  if (reason) expect(() => verifier.verify(token)).toThrow(reason);
};

describe('signing and verifying', () => {
  it.each([
    ['Ed25519 (EdDSA)', ed25519, 'EdDSA'],
    ['P-256 (ES256)', p256, 'ES256'],
  ])('round-trips the viewer with a %s key, the kid and algorithm in the header', (_, pair, alg) => {
    const issuedAt = 1_800_000_000.123_2;
    const token = signerOf(pair.privateKey).issue({ customerId: 'c1', roles: ['customer', 'admin'] }, issuedAt);
    // `iat` keeps the millisecond: what a revocation at a given instant is compared with.
    expect(verifierOf(pair.publicKey).verify(token, issuedAt + 1)).toEqual({
      customerId: 'c1',
      roles: ['customer', 'admin'],
      issuedAt: 1_800_000_000.123,
    });
    const [encodedHeader, encodedPayload] = token.split('.') as [string, string];
    expect(JSON.parse(Buffer.from(encodedHeader, 'base64url').toString())).toEqual({ alg, kid: pair.kid, typ: 'JWT' });
    const payload = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString());
    expect(payload).toMatchObject({ sub: 'c1', iss: 'iss', aud: 'aud' });
    expect(payload.exp - payload.iat).toBe(60);
  });

  it('issues tokens an independent implementation (jose) verifies, and accepts the ones it signs', async () => {
    for (const [pair, alg] of [
      [ed25519, 'EdDSA'],
      [p256, 'ES256'],
    ] as const) {
      const ours = signerOf(pair.privateKey).issue({ customerId: 'c1', roles: ['customer'] });
      const key = await importSPKI(pair.publicKey, alg);
      const { payload } = await jwtVerify(ours, key, { algorithms: [alg], issuer: 'iss', audience: 'aud' });
      expect(payload.sub).toBe('c1');

      const theirs = await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg, kid: pair.kid })
        .setSubject('c2')
        .setIssuer('iss')
        .setAudience(['other', 'aud'])
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(parsePrivateKey(pair.privateKey).key);
      expect(verifierOf(pair.publicKey).verify(theirs)).toEqual({
        customerId: 'c2',
        roles: ['admin'],
        issuedAt: expect.any(Number),
      });
    }
  });

  it('accepts every listed key during a rotation, selected by kid, and refuses a key once it is removed', () => {
    const next = newKeyPair();
    const both = verifierOf(ed25519.publicKey, next.publicKey);
    const old = signer.issue({ customerId: 'old', roles: ['customer'] });
    const current = signerOf(next.privateKey).issue({ customerId: 'new', roles: ['customer'] });
    expect(both.verify(old).customerId).toBe('old');
    expect(both.verify(current).customerId).toBe('new');
    const afterwards = verifierOf(next.publicKey);
    expect(() => afterwards.verify(old)).toThrow('unknown key id');
    expect(afterwards.verify(current).customerId).toBe('new');
  });

  it('mixes key types: each key keeps its own algorithm', () => {
    const mixed = verifierOf(ed25519.publicKey, p256.publicKey);
    expect(mixed.verify(signerOf(p256.privateKey).issue({ customerId: 'c', roles: [] })).customerId).toBe('c');
    // An EdDSA header on the P-256 key's kid is refused before any signature check.
    const confused = forgeToken(header({ kid: p256.kid }), claimSet(), {
      kind: 'key',
      privateKey: ed25519.privateKey,
      alg: 'EdDSA',
    });
    expect(() => mixed.verify(confused)).toThrow('algorithm not allowed');
  });

  it('needs at least one key', () => {
    expect(() => createTokenVerifier({ ...settings, publicKeys: [] })).toThrow(/at least one public key/);
  });
});

describe('refused tokens', () => {
  it.each(forgeries(settings, ed25519))('refuses %s', (_, forge) => {
    refused(forge());
  });

  it('accepts the hand-made token the cases below change one thing of', () => {
    expect(verifier.verify(byTheKey(header(), claimSet()))).toEqual({
      customerId: 'c1',
      roles: ['customer'],
      issuedAt: now,
    });
  });

  it.each([
    ['no roles', { roles: undefined }],
    ['an unknown role', { roles: ['customer', 'root'] }],
    ['roles as a string', { roles: 'admin' }],
    ['no subject', { sub: undefined }],
    ['an empty subject', { sub: '' }],
    ['a numeric subject', { sub: 42 }],
    ['no exp', { exp: undefined }],
    ['no iat', { iat: undefined }],
    ['exp as a string', { exp: String(now + 60) }],
    ['exp now', { exp: now }],
    ['iat in the future', { iat: now + CLOCK_SKEW_SECONDS + 5, exp: now + CLOCK_SKEW_SECONDS + 65 }],
    ['exp before iat', { iat: now, exp: now - 1 }],
    ['a lifetime beyond a day', { iat: now - 1, exp: now - 1 + MAX_TOKEN_LIFETIME_SECONDS + 1 }],
    ['nbf in the future', { nbf: now + CLOCK_SKEW_SECONDS + 5 }],
    ['nbf as a string', { nbf: String(now) }],
    ['another issuer', { iss: 'other' }],
    ['no issuer', { iss: undefined }],
    ['another audience', { aud: 'other' }],
    ['an audience list without ours', { aud: ['other', 'another'] }],
  ])('refuses a genuinely signed token with %s', (_, overrides) => {
    refused(byTheKey(header(), claimSet(overrides)));
  });

  it('allows the clock skew for iat and nbf, and an audience list with ours', () => {
    const skewed = { iat: now + CLOCK_SKEW_SECONDS - 5, exp: now + 60, nbf: now + CLOCK_SKEW_SECONDS - 5 };
    expect(verifier.verify(byTheKey(header(), claimSet(skewed))).customerId).toBe('c1');
    expect(verifier.verify(byTheKey(header(), claimSet({ aud: ['other', 'aud'] }))).customerId).toBe('c1');
  });

  it.each([
    ['a critical extension', { crit: ['b64'], b64: false }, 'critical'],
    ['another typ', { typ: 'at+jwt' }, 'not a JWT'],
    ['no kid', { kid: undefined }, 'unknown key id'],
    ['a numeric kid', { kid: 1 }, 'unknown key id'],
    ['alg ES256 on an Ed25519 key', { alg: 'ES256' }, 'algorithm not allowed'],
    ['alg none', { alg: 'none' }, 'algorithm not allowed'],
    ['no alg', { alg: undefined }, 'algorithm not allowed'],
  ])('refuses a genuinely signed token whose header has %s', (_, overrides, reason) => {
    refused(byTheKey(header(overrides), claimSet()), reason);
  });

  it('refuses malformed tokens before any key is used', () => {
    const good = byTheKey(header(), claimSet());
    const [h, p, s] = good.split('.') as [string, string, string];
    for (const token of [
      '',
      'not.a.jwt',
      `${h}.${p}`,
      `${h}.${p}.${s}.extra`,
      `${h}.${p}.`,
      `${h}.${p}.${s}=`,
      `${h}..${s}`,
      `${h}.${p}.${s.slice(0, -4)}`,
      `${h}.${Buffer.from('[1,2]').toString('base64url')}.${s}`,
      `${Buffer.from('"x"').toString('base64url')}.${p}.${s}`,
      `${h}.${p}.${s}${'A'.repeat(5000)}`,
    ]) {
      refused(token);
    }
  });

  it('refuses an ES256 signature in DER form (JWS signs with raw r || s)', () => {
    const es = verifierOf(p256.publicKey);
    const token = signerOf(p256.privateKey).issue({ customerId: 'c', roles: [] });
    const [h, p] = token.split('.') as [string, string];
    const der = sign('sha256', Buffer.from(`${h}.${p}`), parsePrivateKey(p256.privateKey).key);
    expect(() => es.verify(`${h}.${p}.${der.toString('base64url')}`)).toThrow(InvalidTokenError);
  });

  it('refuses an RSA key as a verification key: two algorithms only', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => parsePublicKeys(publicKey.export({ format: 'pem', type: 'spki' }).toString())).toThrow(/rsa key/);
  });
});

describe('bearer header', () => {
  it('parses bearer headers and refuses malformed ones', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(() => bearerToken('Basic dXNlcg==')).toThrow(InvalidTokenError);
  });
});
