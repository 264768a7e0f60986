import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { type NatsService, natsEnv } from '@commerce-supergraph/test-support/nats-authorization';
import { DB } from './checks.ts';
import type { ServiceName } from './cluster.ts';

// Production refuses published or weak secrets: each run makes its own, as an operator would.
export const ADMIN = { email: 'admin@faults.example.com', password: randomBytes(32).toString('base64') };
const TOKEN_KEY = generateKeyPairSync('ed25519');
/** Every service's; the customer subgraph also gets CUSTOMER_SECRETS. */
const SECRETS = {
  GATEWAY_SECRET: randomBytes(32).toString('base64'),
  JWT_PUBLIC_KEYS: TOKEN_KEY.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
};
const CUSTOMER_SECRETS = {
  JWT_PRIVATE_KEY: TOKEN_KEY.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  NATIONAL_ID_KEY: randomBytes(32).toString('base64'),
};
/** Lets the run read every subgraph's `/metrics` in production (the cluster test counts handled events). */
export const METRICS_TOKEN = randomBytes(32).toString('base64');

export const DB_NAME: Record<Exclude<ServiceName, 'gateway'>, string> = {
  customer: DB.customer,
  product: DB.product,
  order: DB.order,
  'credit-status': DB.credit,
};

export interface SupergraphEnvContext {
  nodeEnv: string;
  logLevel: string;
  databaseUrl: string;
  /** One NATS server, or a cluster's members separated by commas. */
  natsUrl: string;
  credentials: Record<NatsService, NatsAuth>;
  /** Extra variables for every service, e.g. NATS_STREAM_REPLICAS. */
  extra?: Record<string, string>;
}

/**
 * A service's environment as the fault suite and the cluster test run it, without where it listens
 * (<NAME>_PORT, GATEWAY_PORT) or, for the gateway, where the subgraphs are (<NAME>_URL).
 */
export function serviceEnv(service: ServiceName, context: SupergraphEnvContext): Record<string, string> {
  const common = {
    NODE_ENV: context.nodeEnv,
    LOG_LEVEL: context.logLevel,
    ...SECRETS,
    METRICS_TOKEN,
    NATS_URL: context.natsUrl,
    ...natsEnv(context.credentials[service]),
    ...context.extra,
  };
  if (service === 'gateway') return common;
  const subgraph = {
    ...common,
    DATABASE_URL: context.databaseUrl,
    [`${service.toUpperCase().replaceAll('-', '_')}_DB_NAME`]: DB_NAME[service],
  };
  switch (service) {
    case 'customer':
      return { ...subgraph, ...CUSTOMER_SECRETS, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
    case 'product':
      return { ...subgraph, PRODUCT_SEED_DEMO_CATALOG: 'false' };
    case 'order':
      // The only provider in the repository; named, as production requires.
      // A few customers place all the orders: the open-order cap is not what this suite tests.
      return { ...subgraph, PAYMENT_PROVIDER: 'simulated', ORDER_MAX_OPEN_ORDERS: '100000' };
    default:
      return subgraph;
  }
}
