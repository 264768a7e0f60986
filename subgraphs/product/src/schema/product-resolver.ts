import { isAdmin } from '@commerce-supergraph/shared/auth/context';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import {
  badCursor,
  type Connection,
  decodeCursor,
  pageSize,
  toConnection,
} from '@commerce-supergraph/shared/graphql/pagination';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { ProductContext } from '../context.js';
import { listProducts, productCursorKey } from '../domain/product-listing.js';
import { Brand, Category, Product } from '../entities/index.js';
import { ProductFilter } from './inputs.js';
import { ProductConnection } from './payloads.js';

/** Catalog reads are public: a storefront browses without logging in. */
@Resolver(() => Product)
export class ProductResolver {
  @Query(() => ProductConnection, {
    description: 'Products in name order. Inactive products are listed to admins only.',
  })
  async products(
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => ProductFilter, { nullable: true }) filter: ProductFilter | null,
    @Ctx() ctx: ProductContext,
  ): Promise<Connection<Product>> {
    const size = pageSize(first);
    const { rows, totalCount } = await listProducts(ctx.em, filter ?? {}, {
      after: after ? decodeProductCursor(after) : undefined,
      limit: size + 1,
      includeInactive: isAdmin(ctx.viewer),
    });
    return toConnection(rows, size, totalCount, productCursorKey);
  }

  @Query(() => Product, { nullable: true, description: 'Any product by id, inactive ones included.' })
  async product(@Arg('id', () => ID) id: string, @Ctx() ctx: ProductContext): Promise<Product | null> {
    return (await ctx.loaders.product.load(id)) ?? null;
  }

  @Query(() => [Brand], { description: 'Every brand, by name.' })
  brands(@Ctx() ctx: ProductContext): Promise<Brand[]> {
    return ctx.em.find(Brand, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  @Query(() => [Category], { description: 'Every category, by name.' })
  categories(@Ctx() ctx: ProductContext): Promise<Category[]> {
    return ctx.em.find(Category, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  @FieldResolver(() => Brand, { nullable: true })
  async brand(@Root() product: Product, @Ctx() ctx: ProductContext): Promise<Brand | null> {
    return product.brand ? ((await ctx.loaders.brand.load(product.brand.id)) ?? null) : null;
  }

  @FieldResolver(() => Category, { nullable: true })
  async category(@Root() product: Product, @Ctx() ctx: ProductContext): Promise<Category | null> {
    return product.category ? ((await ctx.loaders.category.load(product.category.id)) ?? null) : null;
  }
}

/**
 * `_entities` resolution for the order subgraph: public like the rest of the catalog, and batched
 * through the request's loader into one query for all representations.
 */
export const productReferenceResolvers = {
  Product: {
    async __resolveReference(reference: { id: string }, ctx: ProductContext): Promise<Product | null> {
      return (await ctx.loaders.product.load(reference.id)) ?? null;
    },
  },
};

/** A cursor is only ever one we issued: [name, id]. */
function decodeProductCursor(cursor: string): [string, string] {
  const [name, id] = decodeCursor(cursor, 2);
  if (typeof name === 'string' && typeof id === 'string' && isUuid(id)) return [name, id];
  throw badCursor();
}
