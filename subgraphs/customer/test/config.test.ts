import { randomBytes } from 'node:crypto';
import { ConfigError } from '@commerce-supergraph/shared/config';
import { newKeyPair } from '@commerce-supergraph/test-support/tokens';
import { describe, expect, it } from 'vitest';
import { readCustomerConfig } from '../src/config.js';

const key = newKeyPair();
/** Every production setting but the national id key. */
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_PUBLIC_KEYS: key.publicKey,
  JWT_PRIVATE_KEY: key.privateKey,
  GATEWAY_SECRET: 'g'.repeat(48),
  ADMIN_PASSWORD: 'a'.repeat(48),
  NATS_USER: 'customer',
  NATS_PASSWORD: 'n'.repeat(48),
};

function problems(env: Record<string, string>): string[] {
  try {
    readCustomerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('readCustomerConfig', () => {
  it('has production-safe limits by default', () => {
    const config = readCustomerConfig({});
    expect(config.throttle).toEqual({
      login: { maxPerEmail: 5, maxPerClient: 50, windowSeconds: 900 },
      registration: { maxPerClient: 20, windowSeconds: 3600 },
    });
    expect(config.passwordHashing).toEqual({ maxConcurrent: 4, maxQueued: 32, maxWaitMs: 2000 });
    expect(config.nationalIdKeys.current).toHaveLength(32);
    expect(config.nationalIdKeys.previous).toEqual([]);
    expect(config.devDefaultsUsed).toContain('NATIONAL_ID_KEY');
  });

  it('needs NATIONAL_ID_KEY in production, and takes the current and previous keys', () => {
    expect(problems(PRODUCTION)).toEqual(['NATIONAL_ID_KEY is required when NODE_ENV=production']);
    const [current, previous] = [randomBytes(32), randomBytes(32)];
    const config = readCustomerConfig({
      ...PRODUCTION,
      NATIONAL_ID_KEY: current.toString('base64'),
      NATIONAL_ID_PREVIOUS_KEYS: ` ${previous.toString('base64')} `,
    });
    expect(config.nationalIdKeys).toEqual({ current, previous: [previous] });
    expect(
      problems({ ...PRODUCTION, NATIONAL_ID_KEY: readCustomerConfig({}).nationalIdKeys.current.toString('base64') }),
    ).toEqual([
      'NATIONAL_ID_KEY is the development value published in the repository: generate one (openssl rand -base64 32)',
    ]);
  });

  it('reports malformed limits and keys together, never echoing a key', () => {
    const secret = randomBytes(16).toString('base64');
    expect(
      problems({
        REGISTRATION_MAX_PER_CLIENT: '0',
        PASSWORD_HASHING_MAX_CONCURRENT: 'four',
        NATIONAL_ID_KEY: secret,
        NATIONAL_ID_PREVIOUS_KEYS: 'not-a-key',
      }),
    ).toEqual([
      'REGISTRATION_MAX_PER_CLIENT must be a whole number from 1 to 9007199254740991, got "0"',
      'PASSWORD_HASHING_MAX_CONCURRENT must be a whole number from 1 to 256, got "four"',
      'NATIONAL_ID_KEY must be 32 bytes in base64 (44 characters, e.g. from `openssl rand -base64 32`)',
      'NATIONAL_ID_PREVIOUS_KEYS must list keys of 32 bytes in base64, separated by commas',
    ]);
  });
});
