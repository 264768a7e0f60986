import { createCreditStatusSubgraph } from '@commerce-supergraph/credit-status/app';
import { readCreditStatusConfig } from '@commerce-supergraph/credit-status/config';
import { type CustomerSubgraphOptions, createCustomerSubgraph } from '@commerce-supergraph/customer/app';
import { readCustomerConfig } from '@commerce-supergraph/customer/config';
import { createGateway } from '@commerce-supergraph/gateway/app';
import { readGatewayConfig } from '@commerce-supergraph/gateway/config';
import { createOrderSubgraph } from '@commerce-supergraph/order/app';
import { readOrderConfig } from '@commerce-supergraph/order/config';
import { createProductSubgraph } from '@commerce-supergraph/product/app';
import { readProductConfig } from '@commerce-supergraph/product/config';
import type { SubgraphOptions } from '@commerce-supergraph/shared/graphql/subgraph-service';
import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { dropDatabase, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { type GraphQLResponse, postGraphQL, type Variables } from '@commerce-supergraph/test-support/graphql-client';
import {
  type NatsService,
  natsEnv,
  startAuthorizedNatsServer,
} from '@commerce-supergraph/test-support/nats-authorization';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { QueryCounter } from '@commerce-supergraph/test-support/query-counter';
import { TEST_JWT_ENV, TEST_SIGNING_ENV } from '@commerce-supergraph/test-support/tokens';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

export const ADMIN = { email: 'admin@example.com', password: 'e2e-admin-password' };
/** What tests send as the gateway when they call a subgraph of the test supergraph directly. */
export const E2E_GATEWAY_SECRET = 'e2e-gateway-secret';

/**
 * Settings every service of one test supergraph shares (the secrets and keys must match across them):
 * every service verifies with the test key's public half; the customer subgraph signs with the test key.
 */
const sharedEnv = {
  NODE_ENV: 'test',
  GATEWAY_SECRET: E2E_GATEWAY_SECRET,
  ...TEST_JWT_ENV,
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
};

export interface SendOperation {
  <TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    token?: string,
    requestId?: string,
  ): Promise<GraphQLResponse<TData>>;
  (query: string, variables?: Variables, token?: string, requestId?: string): Promise<GraphQLResponse>;
}

export interface TestSupergraph {
  gatewayUrl: string;
  subgraphUrls: Record<string, string>;
  /** The supergraph's own NATS, for tests that publish events as a service that is not running would. */
  natsUrl: string;
  /** With `natsAuthorization`: each service's NATS user and password; otherwise none (no authorization). */
  natsCredentials: Partial<Record<NatsService, NatsAuth>>;
  /** That NATS server itself, for tests that restart it (its store survives a restart). */
  nats: TestNatsServer;
  /**
   * Sends an operation to the gateway, as a frontend does; a given request id travels to every subgraph.
   * The frontends' operations are sent as their generated typed documents (`@commerce-supergraph/storefront/gql`),
   * which type the variables and the answer; a text is for requests no frontend sends.
   */
  send: SendOperation;
  /** With `countQueries`: each subgraph's SQL statements, by request id. */
  queries: Record<string, QueryCounter>;
  /** Each subgraph's database name, for tests that check what is stored (e.g. reserved stock). */
  databases: Record<string, string>;
  /** Stops the product subgraph and starts a new instance on the same port and database, as a redeploy would. */
  restartProduct(): Promise<void>;
  /** Stops the product subgraph, as an outage would; `startProduct` brings a new instance back on its port. */
  stopProduct(): Promise<void>;
  startProduct(): Promise<void>;
  /** Another gateway in front of the same subgraphs, with extra settings (e.g. TRUSTED_PROXIES); stopped with the rest. */
  startGateway(env?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Every subgraph on a free port with a database of its own, and the gateway in front of them. NATS
 * is a server of this supergraph's own, so its streams never mix with those of `npm start`.
 */
export interface SupergraphOptions {
  /** Settings for every service, e.g. JWT_PUBLIC_KEYS with two keys for a rotation. */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  /** Extra customer subgraph settings, e.g. a low LOGIN_MAX_FAILURES_PER_CLIENT for throttle tests. */
  customerEnv?: Record<string, string>;
  /** Where the customer subgraph sends notifications, e.g. a recorder that reads password reset codes. */
  customerNotifier?: CustomerSubgraphOptions['notifier'];
  /** Extra order subgraph settings, e.g. a short ORDER_PAYMENT_TIMEOUT_SECONDS for expiry tests. */
  orderEnv?: Record<string, string>;
  /** The order subgraph's event settings, e.g. a short retry policy so a failing handler dead-letters soon. */
  orderEvents?: SubgraphOptions['events'];
  /** Counts every subgraph's SQL statements (kept in memory: for tests, not for benchmarks). */
  countQueries?: boolean;
  /**
   * NATS with the committed per-service users and permissions (deploy/nats/authorization.conf),
   * each subgraph connecting as its own user, as under docker-compose.
   */
  natsAuthorization?: boolean;
}

export async function startSupergraph(options: SupergraphOptions = {}): Promise<TestSupergraph> {
  const { gatewayEnv = {}, orderEnv = {}, customerEnv = {} } = options;
  const queries = Object.fromEntries(
    options.countQueries
      ? ['customer', 'product', 'credit-status', 'order'].map((name) => [name, new QueryCounter()])
      : [],
  );
  const orm = (name: string) => ({ orm: queries[name]?.overrides });
  const authorized = options.natsAuthorization ? await startAuthorizedNatsServer() : undefined;
  const nats = authorized?.server ?? (await startNatsServer());
  const natsCredentials: Partial<Record<NatsService, NatsAuth>> = authorized?.credentials ?? {};
  const env = { ...sharedEnv, NATS_URL: nats.url, ...options.env };
  const natsUser = (service: NatsService) => {
    const auth = natsCredentials[service];
    return auth ? natsEnv(auth) : {};
  };
  const customerConfig = readCustomerConfig({
    ...TEST_SIGNING_ENV,
    ...env,
    ...natsUser('customer'),
    CUSTOMER_PORT: '0',
    CUSTOMER_DB_NAME: testDatabaseName('e2e_customer'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Every e2e client is 127.0.0.1: the per-client registration limit has tests of its own.
    REGISTRATION_MAX_PER_CLIENT: '1000',
    ...customerEnv,
  });
  const productConfig = readProductConfig({
    ...env,
    ...natsUser('product'),
    PRODUCT_PORT: '0',
    PRODUCT_DB_NAME: testDatabaseName('e2e_product'),
  });
  const creditConfig = readCreditStatusConfig({
    ...env,
    ...natsUser('credit-status'),
    CREDIT_STATUS_PORT: '0',
    CREDIT_STATUS_DB_NAME: testDatabaseName('e2e_credit'),
  });
  const orderConfig = readOrderConfig({
    ...env,
    ...natsUser('order'),
    ORDER_PORT: '0',
    ORDER_DB_NAME: testDatabaseName('e2e_order'),
    ORDER_PLACE_MAX_WAIT_MS: '30000', // as the gateway's wait below: no test here is about load
    ...orderEnv,
  });
  const order = createOrderSubgraph(orderConfig, { ...orm('order'), events: options.orderEvents });
  const customer = createCustomerSubgraph(customerConfig, { ...orm('customer'), notifier: options.customerNotifier });
  const product = createProductSubgraph(productConfig, orm('product'));
  const credit = createCreditStatusSubgraph(creditConfig, orm('credit-status'));
  let currentProduct = product;
  const databases = [customerConfig, productConfig, creditConfig, orderConfig].map((config) => config.dbName);
  /** Stops whatever runs (a service that never started stops as a no-op) and removes what it made. */
  const dispose = async () => {
    await Promise.all([order.stop(), currentProduct.stop(), customer.stop(), credit.stop()]);
    await Promise.all(databases.map((dbName) => dropDatabase(dbName)));
    await nats.dispose();
  };
  const started = await Promise.allSettled([customer.start(), product.start(), credit.start(), order.start()]);
  const failure = started.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    await dispose();
    throw failure.reason;
  }
  const [customerServer, productServer, creditServer, orderServer] = started.map(
    (outcome) => (outcome as PromiseFulfilledResult<RunningServer>).value,
  ) as [RunningServer, RunningServer, RunningServer, RunningServer];
  const subgraphUrls = { customer: customerServer.url, product: productServer.url, 'credit-status': creditServer.url };
  const gatewayConfig = (extra: Record<string, string>) =>
    readGatewayConfig({
      ...env,
      ...natsUser('gateway'),
      GATEWAY_PORT: '0',
      CUSTOMER_URL: subgraphUrls.customer,
      PRODUCT_URL: subgraphUrls.product,
      CREDIT_STATUS_URL: subgraphUrls['credit-status'],
      ORDER_URL: orderServer.url,
      // No test here is about load: a busy CI machine must not shed a test's 50 requests at once as
      // TOO_MANY_REQUESTS (back-pressure has tests of its own, and bench:orders runs the defaults).
      GATEWAY_SUBGRAPH_MAX_WAIT_MS: '30000',
      ...extra,
    });
  const gateway = createGateway(gatewayConfig(gatewayEnv));
  const gateways = [gateway];
  const { url: gatewayUrl } = await gateway.start().catch(async (error: unknown) => {
    await dispose();
    throw error;
  });
  const stopProduct = () => currentProduct.stop();
  const startProduct = async () => {
    currentProduct = createProductSubgraph({ ...productConfig, port: productServer.port }, orm('product'));
    await currentProduct.start();
  };
  return {
    gatewayUrl,
    subgraphUrls: { ...subgraphUrls, order: orderServer.url },
    natsUrl: nats.url,
    natsCredentials,
    nats,
    databases: {
      customer: customerConfig.dbName,
      product: productConfig.dbName,
      'credit-status': creditConfig.dbName,
      order: orderConfig.dbName,
    },
    queries,
    // One function behind both signatures (postGraphQL prints a typed document): cast to the overloads.
    send: ((document: string, variables: Variables = {}, token?: string, requestId?: string) =>
      postGraphQL(gatewayUrl, document, variables, {
        token,
        headers: requestId ? { 'x-request-id': requestId } : {},
      })) as SendOperation,
    async restartProduct() {
      await stopProduct();
      await startProduct();
    },
    async startGateway(extra = {}) {
      const another = createGateway(gatewayConfig(extra));
      gateways.push(another);
      return (await another.start()).url;
    },
    stopProduct,
    startProduct,
    async stop() {
      await Promise.all(gateways.map((running) => running.stop()));
      await dispose();
    },
  };
}
