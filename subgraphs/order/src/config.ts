import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { readSubgraphConfig, type SubgraphConfig } from '@commerce-supergraph/shared/service-config';
import { SIMULATED } from './ports/simulated-payment-provider.js';

export interface OrderConfig extends SubgraphConfig {
  /** A CONFIRMED order left unpaid this long is cancelled (reason EXPIRED) and its stock released. */
  paymentTimeoutSeconds: number;
  /** How often the expiry sweep looks for such orders: an order expires at most this much late. */
  expirySweepMs: number;
  /** The name of the provider that charges payments (PAYMENT_PROVIDER): required in production. */
  paymentProvider: string;
}

export function readOrderConfig(env: Env = process.env): OrderConfig {
  const reader = new ConfigReader(env);
  const config: OrderConfig = {
    ...readSubgraphConfig(reader, { prefix: 'ORDER', port: 4002, dbName: 'order_db' }, env),
    paymentTimeoutSeconds: reader.int('ORDER_PAYMENT_TIMEOUT_SECONDS', { default: 900, min: 1, max: 30 * 86_400 }),
    expirySweepMs: reader.int('ORDER_EXPIRY_SWEEP_MS', { default: 15_000, min: 100, max: 3_600_000 }),
    // Named, never assumed: production must say which provider charges, even when it is `simulated`.
    paymentProvider: reader.string('PAYMENT_PROVIDER', { devDefault: SIMULATED }),
  };
  reader.done();
  return config;
}
