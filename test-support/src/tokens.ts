import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createTokenSigner, type TokenSettings } from '@commerce-supergraph/shared/auth/jwt';
import { parsePrivateKey, parsePublicKeys } from '@commerce-supergraph/shared/auth/keys';
import { publishedKeyPair } from '@commerce-supergraph/shared/auth/published-keys';

/**
 * The keys tests sign with. The test key is published (shared/src/auth/published-keys.ts), so
 * production refuses it; every service under test verifies with it (TEST_JWT_ENV) and the customer
 * subgraph under test signs with it (TEST_SIGNING_ENV).
 */
export const TEST_KEY = publishedKeyPair('test');

/** What every service under test is given to verify tokens with. */
export const TEST_JWT_ENV = { JWT_PUBLIC_KEYS: TEST_KEY.publicKey } as const;
/** What the customer subgraph under test is given to sign with. */
export const TEST_SIGNING_ENV = { JWT_PRIVATE_KEY: TEST_KEY.privateKey } as const;

export interface KeyPair {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** SubjectPublicKeyInfo PEM. */
  publicKey: string;
  kid: string;
}

/** A fresh key pair: another signer's key, or the next key of a rotation. */
export function newKeyPair(type: 'ed25519' | 'p256' = 'ed25519'): KeyPair {
  const { privateKey, publicKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  return { privateKey: privatePem, publicKey: publicPem, kid: (parsePublicKeys(publicPem)[0] as { kid: string }).kid };
}

/** Tokens as the customer subgraph issues them (same issuer and audience), signed with the test key or `key`. */
export function testTokens(settings: TokenSettings, key: Pick<KeyPair, 'privateKey'> = TEST_KEY) {
  const signer = createTokenSigner({ ...settings, signingKey: parsePrivateKey(key.privateKey) });
  return {
    admin: async () => signer.issue({ customerId: randomUUID(), roles: ['customer', 'admin'] }),
    customer: async (customerId: string = randomUUID()) => signer.issue({ customerId, roles: ['customer'] }),
    as: (customerId: string, roles: ('customer' | 'admin')[] = ['customer']) => signer.issue({ customerId, roles }),
  };
}

/*
 * Hand-made JWTs for the attacks every service must refuse; the valid ones come from shared's own
 * signer, so the two sides never share a shortcut.
 */
const encode = (part: unknown): string => Buffer.from(JSON.stringify(part)).toString('base64url');

export type Signature =
  | { kind: 'none' }
  | { kind: 'hs256'; secret: string }
  | { kind: 'key'; privateKey: string; alg: 'EdDSA' | 'ES256' };

/** A token with exactly this header and these claims, signed as `signature` says. */
export function forgeToken(
  header: Record<string, unknown>,
  claimSet: Record<string, unknown>,
  signature: Signature,
): string {
  const input = `${encode(header)}.${encode(claimSet)}`;
  const data = Buffer.from(input);
  let signed = '';
  if (signature.kind === 'hs256') signed = createHmac('sha256', signature.secret).update(data).digest('base64url');
  if (signature.kind === 'key') {
    const key = parsePrivateKey(signature.privateKey).key;
    signed = (
      signature.alg === 'EdDSA' ? sign(null, data, key) : sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
    ).toString('base64url');
  }
  return `${input}.${signed}`;
}

/** Claims that would pass verification, with `overrides` applied. */
export function claims(
  settings: Pick<TokenSettings, 'issuer' | 'audience'>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'customer-1',
    roles: ['customer'],
    iss: settings.issuer,
    aud: settings.audience,
    iat: now,
    exp: now + 300,
    ...overrides,
  };
}

/** A genuine token whose payload is swapped for another, keeping the original signature. */
export function tamper(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const original = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${encode({ ...original, ...changes })}.${signature}`;
}

/** The former development JWT_SECRET (HS256), published in the repository before the keys: an attacker knows it. */
export const OLD_DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';

/**
 * The forgeries every service must refuse, each differing from a valid token in one thing. `settings`
 * are the services' issuer and audience, `key` the real signing key: a forger knows its public key
 * and `kid` (read off any genuine token), never its private key.
 */
export function forgeries(
  settings: Pick<TokenSettings, 'issuer' | 'audience'>,
  key: KeyPair = TEST_KEY,
): [string, () => string][] {
  const valid = claims(settings, { roles: ['customer', 'admin'] });
  const { kid } = key;
  const { alg } = parsePrivateKey(key.privateKey);
  const real = { kind: 'key', privateKey: key.privateKey, alg } as const;
  const other = newKeyPair();
  const otherP256 = newKeyPair('p256');
  return [
    ['alg: none', () => forgeToken({ alg: 'none', typ: 'JWT', kid }, valid, { kind: 'none' })],
    [
      'HS256 with the old development secret',
      () => forgeToken({ alg: 'HS256', typ: 'JWT', kid }, valid, { kind: 'hs256', secret: OLD_DEVELOPMENT_JWT_SECRET }),
    ],
    [
      'HS256 keyed with the public key (algorithm confusion)',
      () => forgeToken({ alg: 'HS256', typ: 'JWT', kid }, valid, { kind: 'hs256', secret: key.publicKey }),
    ],
    [
      'another Ed25519 key under the real kid',
      () =>
        forgeToken({ alg: 'EdDSA', typ: 'JWT', kid }, valid, {
          kind: 'key',
          privateKey: other.privateKey,
          alg: 'EdDSA',
        }),
    ],
    [
      'another Ed25519 key under its own kid',
      () =>
        forgeToken({ alg: 'EdDSA', typ: 'JWT', kid: other.kid }, valid, {
          kind: 'key',
          privateKey: other.privateKey,
          alg: 'EdDSA',
        }),
    ],
    [
      'an ES256 key under the real kid',
      () =>
        forgeToken({ alg: 'ES256', typ: 'JWT', kid }, valid, {
          kind: 'key',
          privateKey: otherP256.privateKey,
          alg: 'ES256',
        }),
    ],
    ['the real key under a wrong kid', () => forgeToken({ alg, typ: 'JWT', kid: `${kid}x` }, valid, real)],
    ['the real key without a kid', () => forgeToken({ alg, typ: 'JWT' }, valid, real)],
    [
      'a tampered payload',
      () => tamper(forgeToken({ alg, typ: 'JWT', kid }, claims(settings), real), { roles: ['customer', 'admin'] }),
    ],
    [
      'an expired token',
      () => forgeToken({ alg, typ: 'JWT', kid }, claims(settings, { iat: 1_700_000_000, exp: 1_700_000_060 }), real),
    ],
    ['a wrong audience', () => forgeToken({ alg, typ: 'JWT', kid }, claims(settings, { aud: 'another-api' }), real)],
    ['a wrong issuer', () => forgeToken({ alg, typ: 'JWT', kid }, claims(settings, { iss: 'someone-else' }), real)],
  ];
}
