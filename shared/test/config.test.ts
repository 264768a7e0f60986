import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigReader } from '../src/config.js';

describe('ConfigReader', () => {
  it('reads typed values and defaults', () => {
    const reader = new ConfigReader({ PORT: '4001', FLAG: 'true', URL: 'nats://h:4222' });
    expect(reader.int('PORT', { default: 1 })).toBe(4001);
    expect(reader.bool('FLAG', { default: false })).toBe(true);
    expect(reader.url('URL', { protocols: ['nats:'] })).toBe('nats://h:4222');
    expect(reader.string('MISSING', { default: 'x' })).toBe('x');
    reader.done();
  });

  it('uses development defaults only outside production and says so', () => {
    const dev = new ConfigReader({});
    expect(dev.string('SECRET', { devDefault: 'dev' })).toBe('dev');
    expect(dev.devDefaultsUsed).toEqual(['SECRET']);
    const prod = new ConfigReader({ NODE_ENV: 'production' });
    prod.string('SECRET', { devDefault: 'dev' });
    expect(() => prod.done()).toThrow('SECRET is required when NODE_ENV=production');
  });

  it('never echoes a malformed URL, which may carry a password', () => {
    const reader = new ConfigReader({ DATABASE_URL: 'postgres://app:s3cret@db:5432:x/app' });
    reader.url('DATABASE_URL');
    expect(() => reader.done()).toThrow('DATABASE_URL must be a URL');
    expect(() => reader.done()).not.toThrow(/s3cret/);
  });

  it('reports every malformed variable at once', () => {
    const reader = new ConfigReader({ PORT: 'abc', FLAG: 'maybe', URL: 'http://x' });
    reader.int('PORT', { min: 0, max: 65535 });
    reader.bool('FLAG');
    reader.url('URL', { protocols: ['nats:'] });
    reader.string('REQUIRED');
    try {
      reader.done();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'PORT must be a whole number from 0 to 65535, got "abc"',
        'FLAG must be true or false, got "maybe"',
        'URL must use nats:, got "http:"',
        'REQUIRED is required',
      ]);
    }
  });

  it("parses a format of the service's own, reporting its problem with the others", () => {
    const parseList = (raw: string) =>
      raw.split(',').map((part) => {
        if (!/^\d+$/.test(part)) throw new Error('must list numbers, separated by commas');
        return Number(part);
      });
    const reader = new ConfigReader({ GOOD: '1,2', BAD: '1,x', PORT: 'abc' });
    expect(reader.parsed('GOOD', {}, parseList)).toEqual([1, 2]);
    expect(reader.parsed('UNSET', { default: [] }, parseList)).toEqual([]);
    reader.parsed('BAD', {}, parseList);
    reader.int('PORT');
    expect(() => reader.done()).toThrow(/BAD must list numbers, separated by commas\n.*PORT must be a whole number/);
  });

  it('takes one of a set of values, spelled exactly', () => {
    const reader = new ConfigReader({ MODE: 'prod' });
    expect(reader.oneOf('MODE', ['production', 'development'], { default: 'development' })).toBeUndefined();
    expect(reader.oneOf('UNSET', ['a', 'b'], { default: 'a' })).toBe('a');
    expect(() => reader.done()).toThrow('MODE must be one of production, development, got "prod"');
  });

  describe('secrets', () => {
    const long = 'a-secret-of-exactly-thirty-two-b';
    const published = 'a-published-development-value-longer-than-32-bytes';

    it('in production: at least 32 bytes and no published value, never echoed', () => {
      const reader = new ConfigReader({
        NODE_ENV: 'production',
        SHORT: long.slice(1),
        LONG: long,
        PUBLISHED: published,
        DEFAULT: 'the-development-default-which-is-long-enough',
      });
      expect(Buffer.byteLength(long)).toBe(32);
      expect(reader.secret('LONG')).toBe(long);
      reader.secret('SHORT');
      reader.secret('PUBLISHED', { published: [published] });
      reader.secret('DEFAULT', { devDefault: 'the-development-default-which-is-long-enough' });
      reader.secret('MISSING', { devDefault: 'dev' });
      try {
        reader.done();
        expect.unreachable();
      } catch (error) {
        expect((error as ConfigError).problems).toEqual([
          'SHORT must be at least 32 bytes in production, got 31 (openssl rand -base64 48)',
          'PUBLISHED is a development value published in the repository: generate one (openssl rand -base64 48)',
          'DEFAULT is a development value published in the repository: generate one (openssl rand -base64 48)',
          'MISSING is required when NODE_ENV=production',
        ]);
        expect((error as Error).message).not.toContain(long.slice(1));
      }
    });

    it('counts bytes, not characters', () => {
      const reader = new ConfigReader({ NODE_ENV: 'production', SECRET: 'ü'.repeat(16) });
      expect(reader.secret('SECRET')).toBe('ü'.repeat(16));
      reader.done();
    });

    it('outside production: any value; a published one is reported like a development default', () => {
      const reader = new ConfigReader({ NODE_ENV: 'development', SHORT: 'x', PUBLISHED: published });
      expect(reader.secret('SHORT')).toBe('x');
      expect(reader.secret('PUBLISHED', { published: [published] })).toBe(published);
      expect(reader.secret('UNSET', { devDefault: 'dev' })).toBe('dev');
      reader.done();
      expect(reader.devDefaultsUsed).toEqual(['PUBLISHED', 'UNSET']);
    });
  });
});
