import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { type UserError, userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import { type EntityManager, LockMode, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Brand, Category, Product } from '../entities/index.js';
import { ProductSubjects, recordProductEvent } from '../events/contracts/published.js';
import {
  type NewProductFields,
  normalisePrice,
  type ProductChanges,
  validateCatalogName,
  validateNewProduct,
  validateProductChanges,
  validateRestockQuantity,
} from './validation.js';

export interface NewProduct extends NewProductFields {
  brandId?: string | null;
  categoryId?: string | null;
}

const notFound = (field: string[], what: string) => userError(field, 'NOT_FOUND', `No ${what} with this id`);

/**
 * Waits, for a bounded time and never failing, until an event committed with a change is stored on
 * the bus and the readers that must see it have applied it (app.ts: the order subgraph's price
 * projections). A catalog mutation answers only then, so an order placed after the answer is priced
 * with the change. Without NATS it returns at once: the change stands, its event goes out later.
 */
export type AwaitAnnounced = (eventId: string) => Promise<unknown>;

/**
 * Creates a product and its upserted event in one transaction, then waits for `announced` (if
 * given) before answering. The seed uses this too, inside its own transaction and without waiting.
 */
export async function createProduct(em: EntityManager, input: NewProduct, cause: Cause, announced?: AwaitAnnounced) {
  const errors = validateNewProduct(input);
  if (errors.length > 0) return refused<Product>(errors);
  const announce = announcer(em, announced);
  try {
    return await announce.after(
      unitOfWork(em, async (tx) => {
        const missing = [
          ...(await missingReference(tx, Brand, input.brandId, ['input', 'brandId'], 'brand')),
          ...(await missingReference(tx, Category, input.categoryId, ['input', 'categoryId'], 'category')),
        ];
        if (missing.length > 0) return refused<Product>(missing);
        const product = tx.create(Product, {
          sku: input.sku.trim(),
          name: input.name.trim(),
          description: input.description ?? null,
          priceAmount: normalisePrice(input.price),
          currencyCode: input.currencyCode ?? undefined,
          imageUrl: input.imageUrl ?? null,
          brand: input.brandId ?? null,
          category: input.categoryId ?? null,
          onHand: input.initialStock ?? 0,
        });
        announce.event(recordUpserted(tx, cause, product));
        return succeeded(product);
      }),
    );
  } catch (error) {
    // No look-up first: the unique index decides, also between two creations racing each other.
    if (error instanceof UniqueConstraintViolationException) {
      return refused<Product>([userError(['input', 'sku'], 'TAKEN', 'A product with this SKU already exists')]);
    }
    throw error;
  }
}

/** Changes the given fields; an event only when something changed, then waits for `announced` (if given). */
export async function updateProduct(
  em: EntityManager,
  id: string,
  changes: ProductChanges,
  cause: Cause,
  announced?: AwaitAnnounced,
): Promise<Result<Product>> {
  const errors = validateProductChanges(changes);
  if (errors.length > 0) return refused(errors);
  if (!isUuid(id)) return refused([notFound(['id'], 'product')]);
  const announce = announcer(em, announced);
  return announce.after(
    unitOfWork(em, async (tx) => {
      // Locked, so concurrent updates commit one after the other and each event is the state it committed.
      const product = await tx.findOne(Product, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!product) return refused<Product>([notFound(['id'], 'product')]);
      const next = {
        name: changes.name?.trim(),
        description: changes.description,
        priceAmount: changes.price ? normalisePrice(changes.price) : undefined,
        imageUrl: changes.imageUrl,
        active: changes.active ?? undefined,
      };
      const changed = Object.entries(next).filter(
        ([field, value]) => value !== undefined && value !== product[field as keyof typeof next],
      );
      if (changed.length === 0) return succeeded(product);
      tx.assign(product, Object.fromEntries(changed));
      announce.event(recordUpserted(tx, cause, product));
      return succeeded(product);
    }),
  );
}

/**
 * Remembers the event a unit of work recorded and, once that unit of work has committed, waits for
 * it to be announced. Only a unit of work of its own commits here: one that joined a caller's
 * transaction (the seed's) commits later, so there is nothing to wait for yet.
 */
function announcer(em: EntityManager, announced: AwaitAnnounced | undefined) {
  const wait = em.isInTransaction() ? undefined : announced;
  let eventId: string | undefined;
  return {
    event(envelope: { id: string }) {
      eventId = envelope.id;
    },
    async after<T>(committed: Promise<T>): Promise<T> {
      const result = await committed;
      if (eventId && wait) await wait(eventId);
      return result;
    },
  };
}

/**
 * Adds stock with one atomic statement, so it can never overwrite what a reservation or a sale
 * changed at the same moment. Stock is not in the upserted event, so there is none.
 */
export async function restockProduct(em: EntityManager, productId: string, quantity: number) {
  const errors = validateRestockQuantity(quantity);
  if (errors.length > 0) return refused<Product>(errors);
  if (!isUuid(productId)) return refused<Product>([notFound(['input', 'productId'], 'product')]);
  const [row] = await em.execute(
    'update products set on_hand = on_hand + ?, updated_at = now() where id = ? returning *',
    [quantity, productId],
  );
  if (!row) return refused<Product>([notFound(['input', 'productId'], 'product')]);
  return succeeded(em.map(Product, row));
}

/** Creates a brand or a category; the case-insensitive unique index turns a duplicate into TAKEN. */
export async function createNamed<T extends typeof Brand | typeof Category>(
  em: EntityManager,
  entity: T,
  name: string,
): Promise<Result<InstanceType<T>>> {
  const errors = validateCatalogName(name, ['name']);
  if (errors.length > 0) return refused(errors);
  try {
    const created = await unitOfWork(em, async (tx) => tx.create(entity as typeof Brand, { name: name.trim() }));
    return succeeded(created as InstanceType<T>);
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      return refused([userError(['name'], 'TAKEN', 'This name is already taken')]);
    }
    throw error;
  }
}

async function missingReference(
  em: EntityManager,
  entity: typeof Brand | typeof Category,
  id: string | null | undefined,
  field: string[],
  what: string,
): Promise<UserError[]> {
  if (id === undefined || id === null) return [];
  if (isUuid(id) && (await em.count(entity, { id })) > 0) return [];
  return [notFound(field, what)];
}

/** Announces the product as it now is: everything other subgraphs price orders with. */
function recordUpserted(em: EntityManager, cause: Cause, product: Product) {
  return recordProductEvent(em, cause, ProductSubjects.productUpserted, {
    id: product.id,
    sku: product.sku,
    name: product.name,
    price: product.priceAmount,
    currency: product.currencyCode,
    active: product.active,
  });
}
