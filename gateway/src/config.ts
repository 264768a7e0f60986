import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JwtSettings } from '@commerce-supergraph/shared/auth/jwt';
import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import {
  SUBGRAPH_KEEP_ALIVE_MARGIN_MS,
  SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS,
} from '@commerce-supergraph/shared/graphql/subgraph-server';
import { type NatsAuth, readNatsAuth, readNatsUrl } from '@commerce-supergraph/shared/nats-config';
import { type MetricsSettings, readMetricsConfig } from '@commerce-supergraph/shared/observability/metrics-endpoint';
import { PUBLISHED_SECRETS, readAuthConfig } from '@commerce-supergraph/shared/service-config';
import { parseTrustedProxies } from './client-address.js';
import { type PersistedDocumentsConfig, readPersistedDocumentsConfig } from './safelist.js';

/** The subgraphs whose routing URL can be overridden with `<NAME>_URL`, e.g. CREDIT_STATUS_URL. */
const SUBGRAPH_NAMES = ['customer', 'order', 'product', 'credit-status'] as const;

/**
 * Per-operation limits, checked before a query plan is made, so an abusive query never reaches a
 * subgraph. The defaults leave room over the contract operations while keeping the worst case
 * bounded (measured on gateway/operations/):
 * - maxDepth 10: field nesting, fragments add no level; the deepest operation (Dashboard) has 8.
 * - maxAliases 15: every alias counts, `__typename` aliases included, so one field cannot be
 *   fanned out into thousands of resolver calls; the contract operations use none.
 * - maxDirectives 20: stops `@include`/`@skip` floods that are cheap to send and costly to check.
 * - maxTokens 2000: bounds the parser's work before any other check; Sandbox's introspection
 *   query has about 200 tokens, the largest contract operation about 70.
 * - maxCost 10000: graphql-armor's estimate (objects 2, scalars 1, x1.5 per level, x `first` when
 *   written as a literal). Dashboard costs about 840; Products with a literal `first: 100`, the
 *   largest page the API allows, about 8,800. (A `first` passed as a variable is not multiplied:
 *   the subgraphs cap it at 100 themselves.)
 */
export interface GatewayLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
}

export interface GatewayConfig {
  production: boolean;
  port: number;
  /** Introspection and the Sandbox landing page go together: on in development, off in production. */
  introspection: boolean;
  supergraphPath: string;
  /** Routing URLs that replace the supergraph's, by subgraph name. */
  subgraphUrls: Record<string, string>;
  jwt: JwtSettings;
  gatewaySecret: string;
  /** Where token revocations are announced: the gateway refuses a revoked token at the edge. */
  natsUrl: string;
  /** The gateway's own NATS user (or other credential) and TLS: required in production, like every service's. */
  natsAuth: NatsAuth;
  limits: GatewayLimits;
  /**
   * How long an idle connection to a subgraph stays in the gateway's pool. Always below the
   * subgraphs' own keep-alive timeout, so the gateway closes an idle connection first.
   */
  subgraphKeepAliveMs: number;
  /** GATEWAY_SUBGRAPH_CONNECTIONS: the most connections to one subgraph at once (per worker), 16 by default. */
  subgraphConnections: number;
  /** Fetches to one subgraph that may wait for a connection, and how long: past either, TOO_MANY_REQUESTS. */
  subgraphQueue: { maxQueued: number; maxWaitMs: number };
  /** The `retryAfterSeconds` hint of a SERVICE_UNAVAILABLE error. */
  retryAfterSeconds: number;
  /**
   * Proxies in front of the gateway (CIDRs) whose X-Forwarded-For names the client; none by default,
   * and then the client is the TCP peer. The subgraphs' per-client limits count by this address.
   */
  trustedProxies: string[];
  /** The frontends' persisted operations, and whether only they run (GATEWAY_SAFELIST): safelist.ts. */
  persistedDocuments: PersistedDocumentsConfig;
  /** METRICS_PORT and METRICS_TOKEN: where `/metrics` is served. */
  metrics?: MetricsSettings;
  /** Sharing of subgraph answers between callers (fetch-sharing.ts). */
  publicCache: PublicCacheConfig;
  /** The live order updates (gateway/src/live): where they come from and how much one caller may hold. */
  live: LiveConfig;
  /** The storefront's built files (storefront/dist), served at `/` on the same origin; none when unset. */
  storefrontDir: string | undefined;
  /** Variables that fell back to development defaults (logged at start-up). */
  devDefaultsUsed: string[];
}

export interface PublicCacheConfig {
  /** How long an anonymous public catalog answer is kept (GATEWAY_PUBLIC_CACHE_TTL_MS); 0: never. */
  ttlMs: number;
  /** With it, one cache shared by every gateway worker and replica; without it, one per process. */
  redisUrl: string | undefined;
  /** The Redis keys' prefix (GATEWAY_CACHE_KEY_PREFIX), so tests and deployments sharing a Redis stay apart. */
  keyPrefix: string;
}

export interface LiveConfig {
  /** Open WebSockets at once, over all clients: beyond it, 503 at the upgrade. */
  connections: number;
  perConnection: number;
  perCustomer: number;
  /** Updates queued for one slow subscriber before it is ended. */
  queue: number;
  /** How often graphql-ws pings each client; one that misses a pong is dropped. */
  keepAliveMs: number;
}

/** The composed supergraph at the repository root; the same relative path from src/ and dist/. */
const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));

export function readGatewayConfig(env: Env = process.env): GatewayConfig {
  const reader = new ConfigReader(env);
  const { production, jwt, gatewaySecret } = readAuthConfig(reader, env);
  const limit = (name: string, fallback: number) => reader.int(name, { default: fallback, min: 1, max: 1_000_000 });
  const config: GatewayConfig = {
    production,
    port: reader.int('GATEWAY_PORT', { default: 4000, min: 0, max: 65_535 }),
    introspection: reader.bool('GATEWAY_INTROSPECTION', { default: !production }),
    supergraphPath: resolve(reader.string('SUPERGRAPH_PATH', { default: DEFAULT_SUPERGRAPH_PATH })),
    subgraphUrls: readSubgraphUrls(reader, env),
    jwt,
    gatewaySecret,
    natsUrl: readNatsUrl(reader),
    natsAuth: readNatsAuth(reader, env, PUBLISHED_SECRETS),
    limits: {
      maxDepth: limit('GATEWAY_MAX_DEPTH', 10),
      maxAliases: limit('GATEWAY_MAX_ALIASES', 15),
      maxDirectives: limit('GATEWAY_MAX_DIRECTIVES', 20),
      maxTokens: limit('GATEWAY_MAX_TOKENS', 2000),
      maxCost: limit('GATEWAY_MAX_COST', 10_000),
    },
    subgraphKeepAliveMs: reader.int('GATEWAY_SUBGRAPH_KEEP_ALIVE_MS', {
      default: 4000,
      min: 100,
      max: SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS - SUBGRAPH_KEEP_ALIVE_MARGIN_MS,
    }),
    subgraphConnections: reader.int('GATEWAY_SUBGRAPH_CONNECTIONS', { default: 16, min: 1, max: 10_000 }),
    subgraphQueue: {
      maxQueued: reader.int('GATEWAY_SUBGRAPH_MAX_QUEUED', { default: 1000, min: 0, max: 100_000 }),
      maxWaitMs: reader.int('GATEWAY_SUBGRAPH_MAX_WAIT_MS', { default: 500, min: 1, max: 60_000 }),
    },
    retryAfterSeconds: reader.int('GATEWAY_RETRY_AFTER_SECONDS', { default: 5, min: 1, max: 3600 }),
    trustedProxies: reader.parsed('TRUSTED_PROXIES', { default: [] }, parseTrustedProxies),
    persistedDocuments: readPersistedDocumentsConfig(reader),
    metrics: readMetricsConfig(reader, env),
    publicCache: {
      ttlMs: reader.int('GATEWAY_PUBLIC_CACHE_TTL_MS', { default: 1000, min: 0, max: 600_000 }),
      redisUrl: env.REDIS_URL ? reader.url('REDIS_URL', { protocols: ['redis:', 'rediss:'] }) : undefined,
      keyPrefix: reader.parsed('GATEWAY_CACHE_KEY_PREFIX', { default: 'gateway:public-catalog:' }, (raw) => {
        // The prefix is also a SCAN pattern when the cache is emptied: no glob characters.
        if (!/^[\w:.-]{1,100}$/.test(raw)) throw new Error('must be letters, digits, _ : . - (at most 100)');
        return raw;
      }),
    },
    live: {
      connections: reader.int('GATEWAY_LIVE_MAX_CONNECTIONS', { default: 1000, min: 1, max: 100_000 }),
      perConnection: reader.int('GATEWAY_LIVE_MAX_PER_CONNECTION', { default: 10, min: 1, max: 1000 }),
      perCustomer: reader.int('GATEWAY_LIVE_MAX_PER_CUSTOMER', { default: 20, min: 1, max: 1000 }),
      queue: 100,
      keepAliveMs: reader.int('GATEWAY_LIVE_KEEP_ALIVE_MS', { default: 12_000, min: 100, max: 600_000 }),
    },
    storefrontDir: env.STOREFRONT_DIR ? resolve(reader.string('STOREFRONT_DIR')) : undefined,
    devDefaultsUsed: reader.devDefaultsUsed,
  };
  reader.done();
  return config;
}

/** Only the variables that are set: an unset one keeps the routing URL composed into the supergraph. */
function readSubgraphUrls(reader: ConfigReader, env: Env): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) {
    const variable = `${name.toUpperCase().replaceAll('-', '_')}_URL`;
    if (env[variable]) urls[name] = reader.url(variable, { protocols: ['http:', 'https:'] });
  }
  return urls;
}
