import { ConfigError } from '@commerce-supergraph/shared/config';
import { describe, expect, it } from 'vitest';
import { readCustomerConfig } from '../src/config.js';

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
  });

  it('reports malformed limits together', () => {
    expect(problems({ REGISTRATION_MAX_PER_CLIENT: '0', PASSWORD_HASHING_MAX_CONCURRENT: 'four' })).toEqual([
      'REGISTRATION_MAX_PER_CLIENT must be a whole number from 1 to 9007199254740991, got "0"',
      'PASSWORD_HASHING_MAX_CONCURRENT must be a whole number from 1 to 256, got "four"',
    ]);
  });
});
