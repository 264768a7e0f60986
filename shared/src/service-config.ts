import type { JwtSettings } from './auth/jwt.js';
import { ConfigReader, type Env, isProduction } from './config.js';
import { type NatsAuth, readNatsAuth } from './nats-config.js';

/** What the gateway and every subgraph need to agree on: who may call and how tokens look. */
export interface AuthConfig {
  production: boolean;
  jwt: JwtSettings;
  gatewaySecret: string;
}

/** Settings every subgraph reads the same way; each adds its own on top. */
export interface CommonConfig extends AuthConfig {
  databaseUrl: string;
  natsUrl: string;
  /** NATS credentials and TLS (see nats-config.ts). */
  natsAuth: NatsAuth;
}

function readCommonConfig(reader: ConfigReader, env: Env = process.env): CommonConfig {
  return {
    ...readAuthConfig(reader, env),
    databaseUrl: reader.url('DATABASE_URL', {
      default: 'postgres://postgres@127.0.0.1:5432/postgres',
      protocols: ['postgres:', 'postgresql:'],
    }),
    natsUrl: reader.url('NATS_URL', { default: 'nats://127.0.0.1:4222', protocols: ['nats:', 'tls:'] }),
    natsAuth: readNatsAuth(reader, env),
  };
}

export function readAuthConfig(reader: ConfigReader, env: Env = process.env): AuthConfig {
  return {
    production: isProduction(env),
    jwt: {
      secret: reader.string('JWT_SECRET', { devDefault: 'development-only-jwt-secret-do-not-use-in-production' }),
      issuer: reader.string('JWT_ISSUER', { default: 'commerce-supergraph' }),
      audience: reader.string('JWT_AUDIENCE', { default: 'commerce-supergraph-api' }),
      ttlSeconds: reader.int('JWT_TTL_SECONDS', { default: 3600, min: 60, max: 86_400 }),
    },
    gatewaySecret: reader.string('GATEWAY_SECRET', { devDefault: 'development-only-gateway-secret' }),
  };
}

/** What every subgraph's configuration carries besides its own settings. */
export interface SubgraphConfig extends CommonConfig {
  port: number;
  dbName: string;
  /** Variables that fell back to development defaults: logged at start-up. */
  devDefaultsUsed: string[];
}

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
    devDefaultsUsed: reader.devDefaultsUsed,
  };
}
