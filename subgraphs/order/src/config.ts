import { ConfigReader, type Env } from '@commerce-supergraph/shared/config';
import { readSubgraphConfig, type SubgraphConfig } from '@commerce-supergraph/shared/service-config';
import type { PlaceOrderAdmissionLimits } from './domain/admission.js';
import { DEFAULT_MAX_OPEN_ORDERS, type PlaceOrderLimits } from './domain/open-order-cap.js';
import { SIMULATED } from './ports/simulated-payment-provider.js';

export interface OrderConfig extends SubgraphConfig {
  /** A CONFIRMED order left unpaid this long is cancelled (reason EXPIRED) and its stock released. */
  paymentTimeoutSeconds: number;
  /**
   * A PENDING order left this long without the stock reservation's answer is rejected (so it never
   * stays PENDING for good), and the product subgraph gives back whatever it reserved for it.
   */
  pendingTimeoutSeconds: number;
  /** How often the expiry sweep looks for such orders: an order expires at most this much late. */
  expirySweepMs: number;
  /** Open (PENDING or CONFIRMED) orders one customer may have at once; placing one more is refused. */
  placeOrder: PlaceOrderLimits;
  /** Back-pressure: placements at once, waiting, and the saga backlog past which they are refused. */
  admission: PlaceOrderAdmissionLimits;
  /** The name of the provider that charges payments (PAYMENT_PROVIDER): required in production. */
  paymentProvider: string;
}

export function readOrderConfig(env: Env = process.env): OrderConfig {
  const reader = new ConfigReader(env);
  const config: OrderConfig = {
    ...readSubgraphConfig(reader, { prefix: 'ORDER', port: 4002, dbName: 'order_db' }, env),
    paymentTimeoutSeconds: reader.int('ORDER_PAYMENT_TIMEOUT_SECONDS', { default: 900, min: 1, max: 30 * 86_400 }),
    pendingTimeoutSeconds: reader.int('ORDER_PENDING_TIMEOUT_SECONDS', { default: 300, min: 1, max: 30 * 86_400 }),
    expirySweepMs: reader.int('ORDER_EXPIRY_SWEEP_MS', { default: 15_000, min: 100, max: 3_600_000 }),
    placeOrder: {
      maxOpenOrders: reader.int('ORDER_MAX_OPEN_ORDERS', { default: DEFAULT_MAX_OPEN_ORDERS, min: 1, max: 100_000 }),
    },
    admission: {
      maxConcurrent: reader.int('ORDER_PLACE_MAX_CONCURRENT', { default: 8, min: 1, max: 1000 }),
      maxQueued: reader.int('ORDER_PLACE_MAX_QUEUED', { default: 256, min: 0, max: 100_000 }),
      maxWaitMs: reader.int('ORDER_PLACE_MAX_WAIT_MS', { default: 500, min: 1, max: 60_000 }),
      maxPending: reader.int('ORDER_MAX_PENDING', { default: 5000, min: 0, max: 10_000_000 }),
    },
    // Named, never assumed: production must say which provider charges, even when it is `simulated`.
    paymentProvider: reader.string('PAYMENT_PROVIDER', { devDefault: SIMULATED }),
  };
  reader.done();
  return config;
}
