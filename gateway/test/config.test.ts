import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@commerce-supergraph/shared/config';
import { SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS } from '@commerce-supergraph/shared/graphql/subgraph-server';
import { newKeyPair } from '@commerce-supergraph/test-support/tokens';
import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../src/config.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const key = newKeyPair();
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_PUBLIC_KEYS: key.publicKey,
  GATEWAY_SECRET: 'x'.repeat(32),
  NATS_USER: 'gateway',
  NATS_PASSWORD: 'n'.repeat(48),
};

describe('readGatewayConfig', () => {
  it('has development defaults: port 4000, introspection on, the root supergraph, no overrides', () => {
    const config = readGatewayConfig({});
    expect(config).toMatchObject({
      production: false,
      port: 4000,
      introspection: true,
      supergraphPath: resolve(repoRoot, 'supergraph.graphql'),
      subgraphUrls: {},
      limits: { maxDepth: 10, maxAliases: 15, maxDirectives: 20, maxTokens: 2000, maxCost: 10_000 },
    });
    expect(config.devDefaultsUsed).toEqual(['JWT_PUBLIC_KEYS', 'GATEWAY_SECRET']);
  });

  it('turns introspection off in production unless GATEWAY_INTROSPECTION=true', () => {
    expect(readGatewayConfig(PRODUCTION).introspection).toBe(false);
    expect(readGatewayConfig({ ...PRODUCTION, GATEWAY_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(readGatewayConfig({ GATEWAY_INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  it('reads subgraph URL overrides by name and limits', () => {
    const config = readGatewayConfig({
      CREDIT_STATUS_URL: 'http://credit:4004/graphql',
      CUSTOMER_URL: 'https://customer.internal/graphql',
      GATEWAY_MAX_DEPTH: '7',
      SUPERGRAPH_PATH: 'build/supergraph.graphql',
    });
    expect(config.subgraphUrls).toEqual({
      customer: 'https://customer.internal/graphql',
      'credit-status': 'http://credit:4004/graphql',
    });
    expect(config.limits.maxDepth).toBe(7);
    expect(config.supergraphPath).toBe(resolve('build/supergraph.graphql'));
  });

  it('holds at most 16 connections to a subgraph by default, at least 1', () => {
    expect(readGatewayConfig({}).subgraphConnections).toBe(16);
    expect(readGatewayConfig({ GATEWAY_SUBGRAPH_CONNECTIONS: '4' }).subgraphConnections).toBe(4);
    expect(() => readGatewayConfig({ GATEWAY_SUBGRAPH_CONNECTIONS: '0' })).toThrow(/GATEWAY_SUBGRAPH_CONNECTIONS/);
  });

  it('keeps idle subgraph connections 4 s by default, and never as long as the subgraphs keep theirs', () => {
    expect(readGatewayConfig({}).subgraphKeepAliveMs).toBe(4000);
    expect(readGatewayConfig({ GATEWAY_SUBGRAPH_KEEP_ALIVE_MS: '8000' }).subgraphKeepAliveMs).toBe(8000);
    expect(SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS - 8000).toBeGreaterThanOrEqual(2000);
    expect(() => readGatewayConfig({ GATEWAY_SUBGRAPH_KEEP_ALIVE_MS: '8001' })).toThrow(
      'GATEWAY_SUBGRAPH_KEEP_ALIVE_MS must be a whole number from 100 to 8000, got "8001"',
    );
  });

  it('hints clients to retry an unavailable subgraph after 5 s unless GATEWAY_RETRY_AFTER_SECONDS says otherwise', () => {
    expect(readGatewayConfig({}).retryAfterSeconds).toBe(5);
    expect(readGatewayConfig({ GATEWAY_RETRY_AFTER_SECONDS: '30' }).retryAfterSeconds).toBe(30);
    expect(() => readGatewayConfig({ GATEWAY_RETRY_AFTER_SECONDS: '0' })).toThrow(/GATEWAY_RETRY_AFTER_SECONDS/);
  });

  it('runs any operation unless GATEWAY_SAFELIST=true, in production too; the manifest is in gateway/operations', () => {
    const manifestPath = resolve(repoRoot, 'gateway/operations/persisted-query-manifest.json');
    expect(readGatewayConfig({}).persistedDocuments).toEqual({ safelist: false, manifestPath });
    expect(readGatewayConfig(PRODUCTION).persistedDocuments.safelist).toBe(false);
    expect(readGatewayConfig({ ...PRODUCTION, GATEWAY_SAFELIST: 'true' }).persistedDocuments.safelist).toBe(true);
    expect(() => readGatewayConfig({ GATEWAY_SAFELIST: 'on' })).toThrow(
      'GATEWAY_SAFELIST must be true or false, got "on"',
    );
  });

  it('requires the public keys and the gateway secret in production, and holds no private key', () => {
    expect(() => readGatewayConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_PUBLIC_KEYS is required when NODE_ENV=production[\s\S]*GATEWAY_SECRET is required when NODE_ENV=production/,
    );
    const config = readGatewayConfig({ ...PRODUCTION, JWT_PRIVATE_KEY: key.privateKey });
    expect(config.jwt.publicKeys.map((publicKey) => publicKey.kid)).toEqual([key.kid]);
    expect(config.natsAuth).toEqual({ user: 'gateway', password: PRODUCTION.NATS_PASSWORD });
    // JWT_PRIVATE_KEY is the customer subgraph's alone: the gateway reads no signing key, whatever is set.
    expect(config).not.toHaveProperty('signingKey');
    expect(config.jwt.publicKeys.every((publicKey) => publicKey.key.type === 'public')).toBe(true);
  });

  it('requires NATS credentials in production: anonymous clients could read what the gateway reads', () => {
    const { NATS_USER: _user, NATS_PASSWORD: _password, ...anonymous } = PRODUCTION;
    expect(() => readGatewayConfig(anonymous)).toThrow('NATS credentials are required when NODE_ENV=production');
    expect(readGatewayConfig({ NATS_USER: 'gateway', NATS_PASSWORD: 'short' }).natsAuth.user).toBe('gateway');
  });

  it('refuses a weak or published gateway secret and NODE_ENV typos in production', () => {
    expect(() => readGatewayConfig({ ...PRODUCTION, GATEWAY_SECRET: 'gateway-secret' })).toThrow(
      'GATEWAY_SECRET must be at least 32 bytes in production',
    );
    expect(() =>
      readGatewayConfig({
        ...PRODUCTION,
        GATEWAY_SECRET: 'development-only-gateway-secret-published-in-the-repository',
      }),
    ).toThrow('GATEWAY_SECRET is a development value published in the repository');
    expect(() => readGatewayConfig({ ...PRODUCTION, NODE_ENV: 'prod' })).toThrow(
      'NODE_ENV must be one of production, development, test',
    );
  });

  it('reports every malformed variable at once', () => {
    let error: unknown;
    try {
      readGatewayConfig({
        GATEWAY_PORT: '70000',
        GATEWAY_INTROSPECTION: 'yes',
        GATEWAY_MAX_ALIASES: '0',
        ORDER_URL: 'ftp://order/graphql',
        PRODUCT_URL: 'not a url',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'GATEWAY_PORT must be a whole number from 0 to 65535, got "70000"',
      'GATEWAY_INTROSPECTION must be true or false, got "yes"',
      'ORDER_URL must use http: or https:, got "ftp:"',
      'PRODUCT_URL must be a URL',
      'GATEWAY_MAX_ALIASES must be a whole number from 1 to 1000000, got "0"',
    ]);
  });

  it('trusts no proxy by default, and reads TRUSTED_PROXIES as CIDRs', () => {
    expect(readGatewayConfig({}).trustedProxies).toEqual([]);
    expect(readGatewayConfig({ TRUSTED_PROXIES: '10.0.0.0/8,fd00::/8' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
    ]);
    expect(() => readGatewayConfig({ TRUSTED_PROXIES: '10.0.0.0/8, proxy.internal' })).toThrow(
      'TRUSTED_PROXIES must list IPv4 or IPv6 addresses or CIDR ranges, got "proxy.internal"',
    );
  });

  it('reads the public cache: 1 s by default, 0 turns it off, Redis only when REDIS_URL is set', () => {
    expect(readGatewayConfig({}).publicCache).toEqual({
      ttlMs: 1000,
      redisUrl: undefined,
      keyPrefix: 'gateway:public-catalog:',
    });
    const config = readGatewayConfig({
      GATEWAY_PUBLIC_CACHE_TTL_MS: '0',
      REDIS_URL: 'redis://cache:6379/1',
      GATEWAY_CACHE_KEY_PREFIX: 'shop-a:catalog:',
    });
    expect(config.publicCache).toMatchObject({
      ttlMs: 0,
      redisUrl: 'redis://cache:6379/1',
      keyPrefix: 'shop-a:catalog:',
    });
  });

  it('refuses a cache key prefix that would be a wildcard, and a Redis URL of another scheme', () => {
    expect(() => readGatewayConfig({ GATEWAY_CACHE_KEY_PREFIX: 'gateway:*' })).toThrow(ConfigError);
    expect(() => readGatewayConfig({ REDIS_URL: 'http://cache:6379' })).toThrow(ConfigError);
    expect(() => readGatewayConfig({ GATEWAY_PUBLIC_CACHE_TTL_MS: '-1' })).toThrow(ConfigError);
  });
});
