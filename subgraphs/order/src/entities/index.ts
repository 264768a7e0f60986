import { eventEntities } from '@commerce-supergraph/shared/events/tables';
import { DatabaseIdentity } from './database-identity.js';
import { Order } from './order.js';
import { OrderItem } from './order-item.js';
import { Payment } from './payment.js';
import { ProductPrice } from './product-price.js';

export { CancellationReason, OrderStatus } from './order.js';
export { PaymentStatus } from './payment.js';
export { DatabaseIdentity, Order, OrderItem, Payment, ProductPrice };

/**
 * The outbox and inbox live here too: every status change commits with its event, and every
 * consumed event (inventory results, catalog upserts) commits with the inbox row that dedupes it.
 */
export const entities = [Order, OrderItem, Payment, ProductPrice, DatabaseIdentity, ...eventEntities];
