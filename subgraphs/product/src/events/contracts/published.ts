import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { recordEvent } from '@commerce-supergraph/shared/events/outbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Product } from '../entities/index.js';

/** The product subgraph publishes to, and owns, this stream. */
export const CATALOG_STREAM: StreamSpec = { name: 'CATALOG', subjects: ['catalog.>'] };

export const SOURCE = 'product';

/** The contract is the JSON shape, versioned in the subject; consumers keep their own copy of it. */
export const CatalogSubjects = {
  productUpserted: 'catalog.product.upserted.v1',
} as const;

/**
 * The whole of what other subgraphs price orders with, after every create and change, so a
 * projection is rebuilt by replaying the stream. Stock is left out on purpose: it changes with every
 * order and a price projection has no use for it, so a restock publishes nothing.
 */
export interface ProductUpserted {
  id: string;
  sku: string;
  name: string;
  /** A decimal string with two places, as stored ("19.90"), never a float. */
  price: string;
  currency: string;
  active: boolean;
}

/** Why the event happened: a request (its id correlates everything it causes) or start-up. */
export type Cause = Pick<RequestContext, 'requestId'>;

/** Adds the product's upserted event to the outbox of `em`'s transaction; call inside `em.transactional`. */
export function recordProductUpserted(
  em: EntityManager,
  cause: Cause,
  product: Product,
): EventEnvelope<ProductUpserted> {
  return recordEvent<ProductUpserted>(em, {
    subject: CatalogSubjects.productUpserted,
    source: SOURCE,
    correlationId: cause.requestId,
    data: {
      id: product.id,
      sku: product.sku,
      name: product.name,
      price: product.priceAmount,
      currency: product.currencyCode,
      active: product.active,
    },
  });
}
