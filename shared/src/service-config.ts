import type { JwtSettings } from './auth/jwt.js';
import { parsePrivateKey, parsePublicKeys, type SigningKey, type VerificationKey } from './auth/keys.js';
import { publishedKeyName, publishedKeyPair } from './auth/published-keys.js';
import { ConfigReader, type Env, isProduction } from './config.js';
import {
  type NatsAuth,
  PUBLISHED_NATS_PASSWORDS,
  readNatsAuth,
  readNatsUrl,
  readStreamReplicas,
} from './nats-config.js';
import { type MetricsSettings, readMetricsConfig } from './observability/metrics-endpoint.js';

/** The modes a service runs in; anything else (a typo such as `prod`) refuses to start. Unset is development. */
export const NODE_ENVS = ['production', 'development', 'test'] as const;

/** The development gateway secret: the default outside production, refused in production. */
export const DEVELOPMENT_GATEWAY_SECRET = 'development-only-gateway-secret-published-in-the-repository';

/**
 * Values printed in this repository, now or before: production refuses each of them as a secret
 * whatever its length (a longer one can still be public).
 */
export const PUBLISHED_SECRETS: readonly string[] = [
  DEVELOPMENT_GATEWAY_SECRET,
  'development-only-gateway-secret',
  'development-only-jwt-secret-do-not-use-in-production',
  'admin-password-change-me',
  ...PUBLISHED_NATS_PASSWORDS,
];

/** What the gateway and every subgraph need to agree on: who may call and how tokens look. */
export interface AuthConfig {
  production: boolean;
  jwt: JwtSettings;
  gatewaySecret: string;
}

/** Settings every subgraph reads the same way; each adds its own on top. */
export interface CommonConfig extends AuthConfig {
  databaseUrl: string;
  /** One NATS server, or a cluster's members separated by commas. */
  natsUrl: string;
  /** NATS credentials and TLS (see nats-config.ts). */
  natsAuth: NatsAuth;
  /** NATS_STREAM_REPLICAS: copies of each stream the service creates, across a JetStream cluster. */
  streamReplicas: number;
}

function readCommonConfig(reader: ConfigReader, env: Env = process.env): CommonConfig {
  return {
    ...readAuthConfig(reader, env),
    databaseUrl: reader.url('DATABASE_URL', {
      default: 'postgres://postgres@127.0.0.1:5432/postgres',
      protocols: ['postgres:', 'postgresql:'],
    }),
    natsUrl: readNatsUrl(reader),
    natsAuth: readNatsAuth(reader, env, PUBLISHED_SECRETS),
    streamReplicas: readStreamReplicas(reader),
  };
}

export function readAuthConfig(reader: ConfigReader, env: Env = process.env): AuthConfig {
  reader.oneOf('NODE_ENV', NODE_ENVS, { default: 'development' });
  if (env.JWT_SECRET) {
    reader.problem(
      'JWT_SECRET is no longer read: tokens are signed with JWT_PRIVATE_KEY (customer subgraph) and verified ' +
        'with JWT_PUBLIC_KEYS (every service); remove it (docs/operations.md)',
    );
  }
  return {
    production: isProduction(env),
    jwt: {
      issuer: reader.string('JWT_ISSUER', { default: 'commerce-supergraph' }),
      audience: reader.string('JWT_AUDIENCE', { default: 'commerce-supergraph-api' }),
      ttlSeconds: reader.int('JWT_TTL_SECONDS', { default: 3600, min: 60, max: 86_400 }),
      publicKeys: readPublicKeys(reader, env),
    },
    gatewaySecret: reader.secret('GATEWAY_SECRET', {
      devDefault: DEVELOPMENT_GATEWAY_SECRET,
      published: PUBLISHED_SECRETS,
    }),
  };
}

/**
 * JWT_PUBLIC_KEYS: the public keys tokens are accepted from, one or more (several while a key is
 * rotated). The published development and test keys are refused in production: anyone could sign with them.
 */
function readPublicKeys(reader: ConfigReader, env: Env): VerificationKey[] {
  const production = isProduction(env);
  return reader.parsed(
    'JWT_PUBLIC_KEYS',
    { devDefault: parsePublicKeys(publishedKeyPair('development').publicKey) },
    (raw) => {
      const keys = parsePublicKeys(raw);
      const published = keys.find((key) => publishedKeyName(key.kid));
      if (published && production) {
        throw new Error(
          `holds the published ${publishedKeyName(published.kid)} key (kid ${published.kid}): generate a key pair (docs/operations.md)`,
        );
      }
      if (published) reader.devDefaultsUsed.push('JWT_PUBLIC_KEYS');
      return keys;
    },
  );
}

/**
 * JWT_PRIVATE_KEY, read by the customer subgraph only (the one service that signs). Its public key
 * must be among JWT_PUBLIC_KEYS: the issuer verifies its own tokens like every other service, and a
 * key the verifiers do not list would issue tokens nobody accepts.
 */
export function readSigningKey(reader: ConfigReader, jwt: JwtSettings, env: Env = process.env): SigningKey {
  const production = isProduction(env);
  const signingKey = reader.parsed(
    'JWT_PRIVATE_KEY',
    { devDefault: parsePrivateKey(publishedKeyPair('development').privateKey) },
    (raw) => {
      const key = parsePrivateKey(raw);
      const published = publishedKeyName(key.kid);
      if (published && production) {
        throw new Error(`is the published ${published} key (kid ${key.kid}): generate a key pair (docs/operations.md)`);
      }
      if (published) reader.devDefaultsUsed.push('JWT_PRIVATE_KEY');
      return key;
    },
  );
  if (signingKey && jwt.publicKeys && !jwt.publicKeys.some((key) => key.kid === signingKey.kid)) {
    reader.problem(
      `JWT_PUBLIC_KEYS must list the public key of JWT_PRIVATE_KEY (kid ${signingKey.kid}), or nobody accepts its tokens`,
    );
  }
  return signingKey;
}

/** Deadlines and bounds of a subgraph's runtime (docs/operations.md, "Deadlines"). */
export interface RuntimeConfig {
  database: {
    poolMax: number;
    acquireMs: number;
    statementMs: number;
    startupMs: number;
    /** Unreachable this long without a break: the subgraph exits to be restarted. 0: never. */
    giveUpAfterMs: number;
  };
  shutdownTimeoutMs: number;
  /** New GraphQL requests are refused while the event loop runs this late (http/load-shedding.ts); 0: never. */
  maxEventLoopDelayMs: number;
}

/** What every subgraph's configuration carries besides its own settings. */
export interface SubgraphConfig extends CommonConfig {
  port: number;
  dbName: string;
  runtime: RuntimeConfig;
  /** METRICS_PORT and METRICS_TOKEN: where `/metrics` is served. */
  metrics?: MetricsSettings;
  /** Variables that fell back to development defaults: logged at start-up. */
  devDefaultsUsed: string[];
}

export function readRuntimeConfig(reader: ConfigReader): RuntimeConfig {
  return {
    database: {
      poolMax: reader.int('DB_POOL_MAX', { default: 10, min: 1, max: 1_000 }),
      acquireMs: reader.int('DB_ACQUIRE_TIMEOUT_MS', { default: 5_000, min: 100, max: 600_000 }),
      statementMs: reader.int('DB_STATEMENT_TIMEOUT_MS', { default: 30_000, min: 100, max: 86_400_000 }),
      startupMs: reader.int('DB_STARTUP_TIMEOUT_SECONDS', { default: 60, min: 0, max: 86_400 }) * 1_000,
      giveUpAfterMs: reader.int('DB_UNAVAILABLE_EXIT_SECONDS', { default: 60, min: 0, max: 86_400 }) * 1_000,
    },
    shutdownTimeoutMs: readShutdownTimeoutMs(reader),
    maxEventLoopDelayMs: reader.int('MAX_EVENT_LOOP_DELAY_MS', { default: 500, min: 0, max: 60_000 }),
  };
}

/** SHUTDOWN_TIMEOUT_SECONDS: how long a service may take to stop before it exits anyway. */
export const readShutdownTimeoutMs = (reader: ConfigReader): number =>
  reader.int('SHUTDOWN_TIMEOUT_SECONDS', { default: 20, min: 1, max: 3_600 }) * 1_000;

/**
 * The settings every subgraph reads the same way: the common ones plus `<PREFIX>_PORT` and
 * `<PREFIX>_DB_NAME`, e.g. CUSTOMER_PORT and CUSTOMER_DB_NAME.
 */
export function readSubgraphConfig(
  reader: ConfigReader,
  defaults: { prefix: string; port: number; dbName: string },
  env: Env = process.env,
): SubgraphConfig {
  return {
    ...readCommonConfig(reader, env),
    port: reader.int(`${defaults.prefix}_PORT`, { default: defaults.port, min: 0, max: 65_535 }),
    dbName: reader.string(`${defaults.prefix}_DB_NAME`, { default: defaults.dbName }),
    runtime: readRuntimeConfig(reader),
    metrics: readMetricsConfig(reader, env),
    devDefaultsUsed: reader.devDefaultsUsed,
  };
}
