import { consumerName } from '@commerce-supergraph/shared/events/bus';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import { applyProductUpserted, recordPosition } from '../../domain/price-projection.js';
import { ConsumedSubjects, type ProductUpserted } from '../contracts/consumed.js';
import { SOURCE } from '../contracts/published.js';

/**
 * The durable consumer that feeds the price projection is named after this database's identity.
 * A durable consumer resumes after its last ack; had it one fixed name, a new (or recreated) order
 * database would get only the products changed from now on. With the database's id in the name, a
 * new database brings a new consumer, and a new consumer reads the CATALOG stream from its first
 * event (the stream keeps everything), so the projection is rebuilt; a restart keeps the name and
 * resumes. A consumer of a database that is gone stays on the server unused until someone deletes it.
 */
export const projectionConsumerName = (databaseId: string): string =>
  `${consumerName(SOURCE, ConsumedSubjects.productUpserted)}__${databaseId.replaceAll('-', '').slice(0, 16)}`;

/** Applies the event and, in the same transaction, how far the projection has read (see ProjectionPosition). */
export async function projectPrice(envelope: EventEnvelope<ProductUpserted>, { em, delivery }: HandlerContext) {
  await applyProductUpserted(em, envelope);
  if (delivery.streamSequence) await recordPosition(em, delivery.consumer, delivery.streamSequence);
}
