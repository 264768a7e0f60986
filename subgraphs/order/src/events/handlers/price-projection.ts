import { consumerName } from '@commerce-supergraph/shared/events/bus';
import type { ServiceEvents } from '@commerce-supergraph/shared/events/service-events';
import type { MikroORM } from '@mikro-orm/postgresql';
import { applyProductUpserted, databaseId } from '../domain/price-projection.js';
import { ConsumedSubjects, type ProductUpserted } from './consumed-events.js';
import { SOURCE } from './order-events.js';

/**
 * The durable consumer that feeds the price projection is named after this database's identity.
 * A durable consumer resumes after its last ack; had it one fixed name, a new (or recreated) order
 * database would get only the products changed from now on. With the database's id in the name, a
 * new database brings a new consumer, and a new consumer reads the CATALOG stream from its first
 * event (the stream keeps everything), so the projection is rebuilt; a restart keeps the name and
 * resumes. A consumer of a database that is gone stays on the server unused until someone deletes it.
 */
export const projectionConsumerName = (id: string): string =>
  `${consumerName(SOURCE, ConsumedSubjects.productUpserted)}__${id.replaceAll('-', '').slice(0, 16)}`;

/** Concurrency 1: one product's upserts are applied in stream order (the projection also guards it). */
export async function subscribeCatalogProjection(events: ServiceEvents, orm: MikroORM): Promise<string> {
  const name = projectionConsumerName(await databaseId(orm.em.fork()));
  await events.subscribe<ProductUpserted>(
    ConsumedSubjects.productUpserted,
    async (envelope, { em }) => {
      await applyProductUpserted(em, envelope);
    },
    { name },
  );
  return name;
}
