import { randomBytes } from 'node:crypto';
import { startTracing, type Tracing } from '@commerce-supergraph/shared/observability/tracing';
import { PayOrderDocument, PlaceOrderDocument } from '@commerce-supergraph/storefront/gql';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminToken, createProduct, registerShopper, SAGA_WAIT, type Shopper, settled } from './support/orders.js';
import { startSupergraph, type TestSupergraph } from './support/supergraph.js';

/** The parts of a finished span this test reads (what the SDK hands an exporter). */
interface FinishedSpan {
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  spanContext(): { traceId: string; spanId: string };
  parentSpanContext?: { spanId: string };
}
const KIND = { SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 };

/** Every span in memory, as soon as it ends: the whole supergraph runs in this process. */
const spans: FinishedSpan[] = [];
const exporter = {
  export(batch: FinishedSpan[], done: (result: { code: number }) => void) {
    spans.push(...batch);
    done({ code: 0 });
  },
  shutdown: async () => undefined,
};

let tracing: Tracing | undefined;
let graph: TestSupergraph;
let admin: string;
let shopper: Shopper;

beforeAll(async () => {
  tracing = startTracing('e2e', { exporter: exporter as never });
  graph = await startSupergraph();
  admin = await adminToken(graph);
  shopper = await registerShopper(graph, 'traced');
});
afterAll(async () => {
  await graph?.stop();
  await tracing?.shutdown();
});

describe('one trace down the order saga', () => {
  it('follows the client through the gateway, every subgraph and every NATS hop, each span under its cause', async () => {
    const desk = await createProduct(graph, admin, shopper, { initialStock: 5 });
    // The client's own span: both of its requests (order, then pay) carry it, as a frontend's trace would.
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const headers = { traceparent: `00-${traceId}-${clientSpanId}-01` };
    const send = <TData, TVariables extends { input: unknown }>(
      document: TypedDocumentNode<TData, TVariables>,
      input: TVariables['input'],
    ) => postGraphQL(graph.gatewayUrl, document, { input } as TVariables, { token: shopper.token, headers });

    const placed = await send(PlaceOrderDocument, { items: [{ productId: desk.id, quantity: 1 }] });
    const orderId = placed.data?.placeOrder.order?.id as string;
    await settled(graph, shopper, orderId, ['CONFIRMED']);
    const paid = await send(PayOrderDocument, { orderId, paymentToken: 'tok_visa' });
    expect(paid.data?.payOrder.payment?.status).toBe('SUCCEEDED');

    const inTrace = () => spans.filter((span) => span.spanContext().traceId === traceId);
    const service = (span: FinishedSpan) => span.attributes['service.name'];
    const consumers = () => inTrace().filter((span) => span.kind === KIND.CONSUMER);
    // The payment's consequences: the sale (product), the credit change (credit-status), the notification (customer).
    await vi.waitFor(() => {
      const handled = consumers().map((span) => `${service(span)} ${span.name}`);
      expect(handled).toEqual(
        expect.arrayContaining([
          'product process payments.payment.succeeded.v1',
          'credit-status process payments.payment.succeeded.v1',
          'customer process payments.payment.succeeded.v1',
        ]),
      );
    }, SAGA_WAIT);

    const trace = inTrace();
    const byId = new Map(trace.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: FinishedSpan) => byId.get(span.parentSpanContext?.spanId ?? '');
    const ancestors = (span: FinishedSpan) => {
      const chain: FinishedSpan[] = [];
      for (let at = parentOf(span); at; at = parentOf(at)) chain.push(at);
      return chain;
    };
    // Ours carry service.name; Apollo's gateway adds its own (request, plan, execute, fetch) in between.
    expect(new Set(trace.map(service).filter(Boolean))).toEqual(
      new Set(['gateway', 'order', 'product', 'credit-status', 'customer']),
    );
    expect(trace.map((span) => span.name)).toEqual(expect.arrayContaining(['gateway.plan', 'gateway.fetch']));

    // Gateway: its two server spans are children of the client's span; each fetch is under one of them.
    const gatewayServers = trace.filter((span) => service(span) === 'gateway' && span.kind === KIND.SERVER);
    expect(gatewayServers).toHaveLength(2);
    for (const span of gatewayServers) expect(span.parentSpanContext?.spanId).toBe(clientSpanId);
    const fetches = trace.filter((span) => span.kind === KIND.CLIENT);
    expect(fetches.length).toBeGreaterThanOrEqual(2);
    for (const span of fetches) expect(ancestors(span).filter((a) => gatewayServers.includes(a))).toHaveLength(1);
    // Subgraphs: each server span is a child of a gateway fetch of that very subgraph.
    const subgraphServers = trace.filter((span) => service(span) !== 'gateway' && span.kind === KIND.SERVER);
    expect(new Set(subgraphServers.map(service))).toContain('order');
    for (const span of subgraphServers) {
      expect(parentOf(span)?.kind).toBe(KIND.CLIENT);
      expect(parentOf(span)?.name).toBe(`fetch ${service(span)}`);
    }
    // NATS: every handling is a child of the publish of its subject; every publish a child of a request or a handling.
    expect(consumers().length).toBeGreaterThanOrEqual(5);
    for (const span of consumers()) {
      const publish = parentOf(span);
      expect(publish?.kind, span.name).toBe(KIND.PRODUCER);
      expect(publish?.name.replace('publish ', '')).toBe(span.name.replace('process ', ''));
    }
    const publishes = trace.filter((span) => span.kind === KIND.PRODUCER);
    expect(publishes.length).toBeGreaterThanOrEqual(5);
    for (const span of publishes) expect([KIND.SERVER, KIND.CONSUMER], span.name).toContain(parentOf(span)?.kind);
    // The chain of causes: the order's creation (a request) -> reservation (product) -> confirmation (order).
    const reserved = consumers().find((span) => span.name === 'process inventory.reservation.reserved.v1');
    expect(service(parentOf(reserved!)!)).toBe('product');
    expect(parentOf(parentOf(reserved!)!)?.name).toBe('process orders.order.created.v1');
    // The span says which operation it served.
    expect(gatewayServers.map((span) => span.attributes['graphql.operation.name']).sort()).toEqual([
      'PayOrder',
      'PlaceOrder',
    ]);
  });
});
