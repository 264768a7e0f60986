import { newKeyPair, TEST_KEY } from '@commerce-supergraph/test-support/tokens';
import { describe, expect, it } from 'vitest';
import { publishedKeyPair } from '../src/auth/published-keys.js';
import { ConfigError, ConfigReader, type Env } from '../src/config.js';
import {
  DEVELOPMENT_GATEWAY_SECRET,
  readAuthConfig,
  readSigningKey,
  readSubgraphConfig,
} from '../src/service-config.js';

/** What every service and the customer subgraph read, with the problems `done()` reports. */
function read(env: Env): { problems: string[]; devDefaultsUsed: string[]; kids?: string[]; signer?: string } {
  const reader = new ConfigReader(env);
  const auth = readAuthConfig(reader, env);
  const signingKey = readSigningKey(reader, auth.jwt, env);
  try {
    reader.done();
  } catch (error) {
    return { problems: (error as ConfigError).problems, devDefaultsUsed: reader.devDefaultsUsed };
  }
  return {
    problems: [],
    devDefaultsUsed: reader.devDefaultsUsed,
    kids: auth.jwt.publicKeys.map((key) => key.kid),
    signer: signingKey.kid,
  };
}

const key = newKeyPair();
const next = newKeyPair('p256');
const PRODUCTION = {
  NODE_ENV: 'production',
  GATEWAY_SECRET: 'g'.repeat(32),
  JWT_PUBLIC_KEYS: key.publicKey,
  JWT_PRIVATE_KEY: key.privateKey,
};
const development = publishedKeyPair('development');

describe('production configuration', () => {
  it('starts with generated secrets and keys', () => {
    expect(read(PRODUCTION)).toEqual({ problems: [], devDefaultsUsed: [], kids: [key.kid], signer: key.kid });
  });

  it('refuses missing secrets and keys, naming each', () => {
    expect(read({ NODE_ENV: 'production' }).problems).toEqual([
      'JWT_PUBLIC_KEYS is required when NODE_ENV=production',
      'GATEWAY_SECRET is required when NODE_ENV=production',
      'JWT_PRIVATE_KEY is required when NODE_ENV=production',
    ]);
  });

  it('refuses a gateway secret shorter than 32 bytes', () => {
    expect(read({ ...PRODUCTION, GATEWAY_SECRET: 'g'.repeat(31) }).problems).toEqual([
      'GATEWAY_SECRET must be at least 32 bytes in production, got 31 (openssl rand -base64 48)',
    ]);
  });

  it.each([
    ['the development default', DEVELOPMENT_GATEWAY_SECRET],
    ['the former JWT development secret', 'development-only-jwt-secret-do-not-use-in-production'],
  ])('refuses %s as the gateway secret, though it is long enough', (_, secret) => {
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    expect(read({ ...PRODUCTION, GATEWAY_SECRET: secret }).problems).toEqual([
      'GATEWAY_SECRET is a development value published in the repository: generate one (openssl rand -base64 48)',
    ]);
  });

  it.each([
    ['development', development],
    ['test', TEST_KEY],
  ] as const)('refuses the published %s key as a verification key and as the signing key', (name, pair) => {
    expect(read({ ...PRODUCTION, JWT_PUBLIC_KEYS: `${key.publicKey}${pair.publicKey}` }).problems).toEqual([
      `JWT_PUBLIC_KEYS holds the published ${name} key (kid ${pair.kid}): generate a key pair (docs/operations.md)`,
    ]);
    expect(
      read({ ...PRODUCTION, JWT_PUBLIC_KEYS: `${key.publicKey}${pair.publicKey}`, JWT_PRIVATE_KEY: pair.privateKey })
        .problems,
    ).toContain(
      `JWT_PRIVATE_KEY is the published ${name} key (kid ${pair.kid}): generate a key pair (docs/operations.md)`,
    );
  });

  it.each(['prod', 'Production', 'staging', 'development '])('refuses NODE_ENV=%s in any service', (mode) => {
    const env = { ...PRODUCTION, NODE_ENV: mode };
    expect(read(env).problems).toContain(`NODE_ENV must be one of production, development, test, got "${mode}"`);
    const reader = new ConfigReader(env);
    readSubgraphConfig(reader, { prefix: 'ORDER', port: 4002, dbName: 'order_db' }, env);
    expect(() => reader.done()).toThrow(/NODE_ENV must be one of production, development, test/);
  });

  it('requires NATS credentials of every subgraph in production', () => {
    const reader = new ConfigReader(PRODUCTION);
    readSubgraphConfig(reader, { prefix: 'ORDER', port: 4002, dbName: 'order_db' }, PRODUCTION);
    expect(() => reader.done()).toThrow(/NATS credentials are required when NODE_ENV=production/);
    const env = { ...PRODUCTION, NATS_USER: 'order', NATS_PASSWORD: 'n'.repeat(32) };
    const withCredentials = new ConfigReader(env);
    const config = readSubgraphConfig(withCredentials, { prefix: 'ORDER', port: 4002, dbName: 'order_db' }, env);
    expect(() => withCredentials.done()).not.toThrow();
    expect(config.natsAuth).toEqual({ user: 'order', password: env.NATS_PASSWORD });
    expect(read(PRODUCTION).problems).toEqual([]);
  });

  it('refuses a leftover JWT_SECRET, which nothing reads any more, in every mode', () => {
    const problem =
      'JWT_SECRET is no longer read: tokens are signed with JWT_PRIVATE_KEY (customer subgraph) and verified ' +
      'with JWT_PUBLIC_KEYS (every service); remove it (docs/operations.md)';
    expect(read({ ...PRODUCTION, JWT_SECRET: 's'.repeat(40) }).problems).toEqual([problem]);
    expect(read({ JWT_SECRET: 's'.repeat(40) }).problems).toEqual([problem]);
  });
});

describe('keys in any mode', () => {
  it('refuses a private key among the public keys: no verifier may hold one', () => {
    expect(read({ ...PRODUCTION, JWT_PUBLIC_KEYS: key.privateKey }).problems).toEqual([
      'JWT_PUBLIC_KEYS key 1 is a private key: give the public key only (openssl pkey -in private.pem -pubout)',
    ]);
  });

  it('refuses a signing key whose public key is not listed', () => {
    expect(read({ ...PRODUCTION, JWT_PUBLIC_KEYS: next.publicKey }).problems).toEqual([
      `JWT_PUBLIC_KEYS must list the public key of JWT_PRIVATE_KEY (kid ${key.kid}), or nobody accepts its tokens`,
    ]);
  });

  it('accepts two public keys during a rotation, signing with either', () => {
    const both = `${key.publicKey}${next.publicKey}`;
    expect(read({ ...PRODUCTION, JWT_PUBLIC_KEYS: both })).toMatchObject({ problems: [], kids: [key.kid, next.kid] });
    expect(read({ ...PRODUCTION, JWT_PUBLIC_KEYS: both, JWT_PRIVATE_KEY: next.privateKey })).toMatchObject({
      problems: [],
      signer: next.kid,
    });
  });
});

describe('development and test', () => {
  it('default to the development key and secret, and say so', () => {
    for (const mode of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }]) {
      expect(read(mode)).toEqual({
        problems: [],
        devDefaultsUsed: ['JWT_PUBLIC_KEYS', 'GATEWAY_SECRET', 'JWT_PRIVATE_KEY'],
        kids: [development.kid],
        signer: development.kid,
      });
    }
  });

  it('accept the published values when set, and report them like defaults', () => {
    expect(
      read({
        NODE_ENV: 'development',
        GATEWAY_SECRET: DEVELOPMENT_GATEWAY_SECRET,
        JWT_PUBLIC_KEYS: development.publicKey,
        JWT_PRIVATE_KEY: development.privateKey,
      }),
    ).toMatchObject({ problems: [], devDefaultsUsed: ['JWT_PUBLIC_KEYS', 'GATEWAY_SECRET', 'JWT_PRIVATE_KEY'] });
  });
});
