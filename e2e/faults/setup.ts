import { setTimeout as sleep } from 'node:timers/promises';
import { DB, type ProductStock } from './checks.ts';
import type { Customer, GatewayClient } from './clients.ts';
import { type Databases, type NatsTarget, streamsAndConsumers } from './inspect.ts';
import type { Random } from './random.ts';

/** The consumers the saga needs before orders flow (docs/architecture.md, Events); CATALOG's is named per database. */
const SAGA_CONSUMERS: Record<string, string[]> = {
  ORDERS: [
    'product__orders_order_created_v1',
    'product__orders_order_cancelled_v1',
    'customer__orders_order_confirmed_v1',
    'customer__orders_order_rejected_v1',
  ],
  PAYMENTS: [
    'product__payments_payment_succeeded_v1',
    'credit-status__payments_payment_succeeded_v1',
    'credit-status__payments_payment_failed_v1',
    'customer__payments_payment_succeeded_v1',
  ],
  INVENTORY: ['order__inventory_reservation_reserved_v1', 'order__inventory_reservation_rejected_v1'],
  CUSTOMERS: ['credit-status__customers_customer_registered_v1'],
};

export interface Shop {
  adminToken: string;
  products: ProductStock[];
  customers: Customer[];
  /** Units each product is asked for on average over the run. */
  meanDemand: number;
}

/**
 * The shop every run of the fault suite and the cluster test starts from, set up through the
 * gateway: products with a stock that runs out for some, customers; then waits until the order
 * subgraph prices every product and every saga consumer is attached.
 */
export async function setUpShop(options: {
  client: GatewayClient;
  db: Databases;
  inspector: NatsTarget;
  random: Random;
  admin: { email: string; password: string };
  seed: number;
  orders: number;
  products: number;
  customers: number;
  aborted: () => boolean;
}): Promise<Shop> {
  const setupRandom = options.random;
  const adminToken = await retrying(options.aborted, 'admin login', async () => {
    const res = await options.client.send('Login', { input: options.admin }, undefined, 'setup-login');
    const token = res.kind === 'answer' ? res.body.data?.login?.token : undefined;
    if (!token) throw new Error(JSON.stringify(res));
    return token as string;
  });
  const meanDemand = (options.orders * 2 * 2) / options.products; // 2 lines of 2 units on average
  const products: ProductStock[] = [];
  for (let i = 0; i < options.products; i++) {
    const initialStock = Math.max(5, Math.round(meanDemand * setupRandom.between(0.45, 1.15)));
    const name = `Fault item ${i + 1}`;
    const price = setupRandom.between(5, 120).toFixed(2);
    const id = await retrying(options.aborted, `create ${name}`, async () => {
      const res = await options.client.send(
        'CreateProduct',
        { input: { sku: `FAULT-${options.seed}-${i + 1}`, name, price, initialStock } },
        adminToken,
        `setup-product-${i + 1}`,
      );
      const product = res.kind === 'answer' ? res.body.data?.createProduct?.product : undefined;
      if (!product?.id) throw new Error(JSON.stringify(res));
      return product.id as string;
    });
    products.push({ id, name, initialStock });
  }
  const customers: Customer[] = [];
  for (let start = 0; start < options.customers; start += 5) {
    const batch = Array.from({ length: Math.min(5, options.customers - start) }, (_, k) => start + k);
    customers.push(
      ...(await Promise.all(
        batch.map((i) =>
          retrying(options.aborted, `register customer ${i + 1}`, async () => {
            const res = await options.client.send(
              'RegisterCustomer',
              {
                input: {
                  name: `Fault shopper ${i + 1}`,
                  email: `shopper-${i + 1}-${options.seed}@faults.example.com`,
                  password: 'fault-suite-shopper',
                },
              },
              undefined,
              `setup-customer-${i + 1}`,
            );
            const payload = res.kind === 'answer' ? res.body.data?.registerCustomer : undefined;
            if (!payload?.token) throw new Error(JSON.stringify(res));
            return { id: payload.customer.id as string, token: payload.token as string };
          }),
        ),
      )),
    );
  }
  await awaitSagaReady({ ...options, products: products.length });
  return { adminToken, products, customers, meanDemand };
}

/**
 * Waits until the order subgraph prices all `products` (it learns of each from the catalog's event)
 * and every saga consumer is attached: before that, orders would be refused or wait. Also used by
 * the orders bench (e2e/bench/orders.ts), which makes its own products.
 */
export async function awaitSagaReady(options: {
  db: Databases;
  inspector: NatsTarget;
  products: number;
  aborted: () => boolean;
}): Promise<void> {
  await retrying(options.aborted, 'the order subgraph prices every product', async () => {
    const rows = await options.db.query<{ n: string }>(DB.order, 'select count(*)::text as n from product_prices');
    if (Number(rows[0]?.n) < options.products) throw new Error(`${rows[0]?.n} of ${options.products} priced`);
  });
  await retrying(
    options.aborted,
    'every saga consumer attached',
    async () => {
      const found = await streamsAndConsumers(options.inspector);
      const missing = Object.entries(SAGA_CONSUMERS).flatMap(([stream, names]) =>
        names.filter((name) => !found.get(stream)?.includes(name)).map((name) => `${stream}/${name}`),
      );
      if ((found.get('CATALOG') ?? []).length === 0) missing.push('CATALOG/<order projection>');
      if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}`);
    },
    60_000,
  );
}

/** Retries a set-up step until it works or the time is up. */
export async function retrying<T>(
  aborted: () => boolean,
  label: string,
  step: () => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (Date.now() > deadline || aborted())
        throw new Error(`set-up step "${label}" failed: ${(error as Error).message}`);
      await sleep(250);
    }
  }
}
