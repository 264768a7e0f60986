import { eventEntities } from '@commerce-supergraph/shared/events/tables';
import { DatabaseIdentity } from './database-identity.js';
import { DeletedCustomer } from './deleted-customer.js';
import { Order } from './order.js';
import { OrderItem } from './order-item.js';
import { Payment } from './payment.js';
import { ProductPrice } from './product-price.js';
import { ProjectionPosition } from './projection-position.js';

export { CancellationReason, OrderStatus } from './order.js';
export { PaymentStatus } from './payment.js';
export { DatabaseIdentity, DeletedCustomer, Order, OrderItem, Payment, ProductPrice, ProjectionPosition };

/**
 * The outbox and inbox live here too: every status change commits with its event, and every
 * consumed event (inventory results, catalog upserts) commits with the inbox row that dedupes it.
 */
export const entities = [
  Order,
  OrderItem,
  Payment,
  ProductPrice,
  ProjectionPosition,
  DatabaseIdentity,
  DeletedCustomer,
  ...eventEntities,
];
