import type { Statement } from '@commerce-supergraph/shared/db/one-trip';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DatabaseIdentity } from '../entities/index.js';
import type { ProductUpserted } from '../events/contracts/consumed.js';
import { normaliseAmount } from './money.js';
import type { CatalogPrice } from './order-input.js';

/**
 * Applies one upserted event to the projection, unless the row already reflects a later event.
 * Events of one product are ordered by the time the product subgraph wrote them (under that
 * product's row lock, so in commit order), then by event id; a redelivery or a late copy of an
 * older event therefore changes nothing. Returns whether the row changed.
 */
export async function applyProductUpserted(em: EntityManager, envelope: EventEnvelope<ProductUpserted>) {
  const { id, sku, name, price, currency, active } = envelope.data;
  if (!isUuid(id)) throw new RangeError(`product id "${id}" is not a uuid`);
  const { affectedRows } = await em.execute<{ affectedRows: number }>(
    `insert into product_prices as p
       (product_id, sku, name, price, currency, active, source_occurred_at, source_event_id, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (product_id) do update
       set sku = excluded.sku, name = excluded.name, price = excluded.price, currency = excluded.currency,
           active = excluded.active, source_occurred_at = excluded.source_occurred_at,
           source_event_id = excluded.source_event_id, updated_at = now()
     where (p.source_occurred_at, p.source_event_id) < (excluded.source_occurred_at, excluded.source_event_id)`,
    [id.toLowerCase(), sku, name, normaliseAmount(price), currency, active, envelope.occurredAt, envelope.id],
    'run',
  );
  return affectedRows > 0;
}

/**
 * Notes that the projection's consumer applied the message at `streamSequence`, in the handler's
 * transaction. Only ever moves forward: a redelivery of an earlier message changes nothing.
 */
export async function recordPosition(em: EntityManager, consumer: string, streamSequence: number): Promise<void> {
  await em.execute(
    `insert into projection_positions as p (consumer, stream_sequence, updated_at) values (?, ?, now())
     on conflict (consumer) do update set stream_sequence = excluded.stream_sequence, updated_at = now()
     where p.stream_sequence < excluded.stream_sequence`,
    [consumer, streamSequence],
    'run',
  );
}

/**
 * The projection's entries for these products, as one JSON array (`[]` for none): a value that can
 * stand alone or ride in another statement, as placeOrder's admission does (open-order-cap.ts).
 * The price goes as text, so no amount passes through a float.
 */
export function pricesJson(productIds: readonly string[]): Statement {
  return [
    `coalesce((select json_agg(json_build_object('productId', p.product_id, 'name', p.name,
                 'price', p.price::text, 'currency', p.currency, 'active', p.active))
                 from product_prices p where p.product_id = any(array[?]::uuid[])), '[]')`,
    [orderableIds(productIds)],
  ];
}

/** pricesJson's array, keyed by lower-case id. */
export const pricesById = (prices: readonly CatalogPrice[]): Map<string, CatalogPrice> =>
  new Map(prices.map((price) => [price.productId, price]));

/** The projection's entries for these products, keyed by lower-case id; ids that are no uuid find nothing. */
export async function loadPrices(em: EntityManager, productIds: readonly string[]): Promise<Map<string, CatalogPrice>> {
  const [sql, params] = pricesJson(productIds);
  const [row] = await em.execute<{ prices: CatalogPrice[] }[]>(`select ${sql} as prices`, params);
  return pricesById(row?.prices ?? []);
}

/** The ids worth looking up: trimmed, lower-case, uuids only (the column is a uuid). */
const orderableIds = (productIds: readonly string[]) => [
  ...new Set(productIds.map((id) => id.trim().toLowerCase()).filter(isUuid)),
];

/** The id the first migration gave this database (see DatabaseIdentity). */
export async function databaseId(em: EntityManager): Promise<string> {
  const [identity] = await em.find(DatabaseIdentity, {}, { orderBy: { createdAt: 'asc' }, limit: 1 });
  if (!identity) throw new Error('database_identity is empty: the first migration has not run');
  return identity.id;
}
