import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { internalCause } from '@commerce-supergraph/shared/events/cause';
import type { Result } from '@commerce-supergraph/shared/graphql/payloads';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Brand, Category } from '../entities/index.js';
import { createNamed, createProduct } from './catalog.js';
import { DEMO_BRANDS, DEMO_CATEGORIES, DEMO_PRODUCTS } from './demo-catalog.js';

/**
 * Fills an empty catalog with the demo data, through the same code as the admin mutations, so the
 * demo products are validated and announced by upserted events like any other. Returns how many
 * products it created: 0 when the catalog was not empty.
 */
export async function seedDemoCatalog(em: EntityManager, log: Logger): Promise<number> {
  const cause = internalCause('seed');
  return unitOfWork(em, async (tx) => {
    // Two instances starting at once: the second waits here, then finds the catalog filled.
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', ['product:seed-demo-catalog']);
    const [state] = await tx.execute<{ empty: boolean }[]>(
      `select not exists (select 1 from products) and not exists (select 1 from brands)
          and not exists (select 1 from categories) as empty`,
    );
    if (!state?.empty) return 0;
    const brands = await createAll(tx, Brand, DEMO_BRANDS);
    const categories = await createAll(tx, Category, DEMO_CATEGORIES);
    for (const demo of DEMO_PRODUCTS) {
      const input = {
        ...demo,
        initialStock: demo.stock,
        brandId: brands.get(demo.brand),
        categoryId: categories.get(demo.category),
      };
      accepted(await createProduct(tx, input, cause), demo.sku);
    }
    log.info({ products: DEMO_PRODUCTS.length }, 'demo catalog seeded');
    return DEMO_PRODUCTS.length;
  });
}

async function createAll(em: EntityManager, entity: typeof Brand | typeof Category, names: readonly string[]) {
  const ids = new Map<string, string>();
  for (const name of names) ids.set(name, accepted(await createNamed(em, entity, name), name).id);
  return ids;
}

/** The demo data is ours: a refusal is a bug in it, and start-up should say so loudly. */
function accepted<T>(result: Result<T>, what: string): T {
  if (result.ok) return result.value;
  throw new Error(`demo catalog: ${what} refused: ${result.errors.map((e) => e.code).join(', ')}`);
}
