import { extendSchema, type GraphQLSchema, parse } from 'graphql';

/**
 * The live part of the API: subscriptions the gateway serves itself over graphql-ws on `/graphql`
 * (`@apollo/gateway` plans no subscriptions). It extends the composed API schema, so its types
 * reuse the supergraph's (`OrderStatus`, `PaymentStatus`, `DateTime`); `npm run schema:check`
 * validates this extension against the composed schema and every operation against both, and
 * `npm run codegen` generates the frontends' types from both (docs/api.md, Live order status).
 */
export const SUBSCRIPTION_SDL = /* GraphQL */ `
  extend schema {
    subscription: Subscription
  }

  "What the gateway pushes over WebSocket (graphql-ws): changes of the caller's orders, as they happen."
  type Subscription {
    "One order of the caller (admins: any). Its current state first, then each change; refused with FORBIDDEN for another customer's order."
    orderUpdated(orderId: ID!): OrderUpdate!
    "Every change of any order of the caller, from now on."
    myOrderUpdates: OrderUpdate!
  }

  "A change of one order's status or payment."
  type OrderUpdate {
    orderId: ID!
    status: OrderStatus!
    "The payment's status, once one was tried: a declined card is FAILED while the order stays CONFIRMED."
    paymentStatus: PaymentStatus
    "Why the order was rejected or cancelled, or why the payment failed."
    reason: String
    occurredAt: DateTime!
  }
`;

/** The API schema as the frontends see it: the composed supergraph's, plus the live subscriptions. */
export function withSubscriptions(api: GraphQLSchema): GraphQLSchema {
  return extendSchema(api, parse(SUBSCRIPTION_SDL));
}
