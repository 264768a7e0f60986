import { requireAdmin } from '@commerce-supergraph/shared/auth/context';
import { requestCause } from '@commerce-supergraph/shared/events/cause';
import { toPayload } from '@commerce-supergraph/shared/graphql/payloads';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { ProductContext } from '../context.js';
import * as catalog from '../domain/catalog.js';
import { Brand, Category } from '../entities/index.js';
import { CreateProductInput, RestockProductInput, UpdateProductInput } from './inputs.js';
import { BrandPayload, CategoryPayload, ProductPayload } from './payloads.js';

/** Catalog changes: admin only (anonymous: UNAUTHENTICATED, a customer: FORBIDDEN). */
@Resolver()
export class CatalogResolver {
  @Mutation(() => ProductPayload, { description: 'Adds a product to the catalog. Admin only.' })
  async createProduct(
    @Arg('input', () => CreateProductInput) input: CreateProductInput,
    @Ctx() ctx: ProductContext,
  ): Promise<ProductPayload> {
    requireAdmin(ctx);
    return toPayload(
      new ProductPayload(),
      'product',
      await catalog.createProduct(ctx.em, input, requestCause(ctx), ctx.announced),
    );
  }

  @Mutation(() => ProductPayload, { description: "Changes a product's catalog data. Admin only." })
  async updateProduct(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProductInput) input: UpdateProductInput,
    @Ctx() ctx: ProductContext,
  ): Promise<ProductPayload> {
    requireAdmin(ctx);
    return toPayload(
      new ProductPayload(),
      'product',
      await catalog.updateProduct(ctx.em, id, input, requestCause(ctx), ctx.announced),
    );
  }

  @Mutation(() => ProductPayload, { description: 'Adds units to the stock on hand. Admin only.' })
  async restockProduct(
    @Arg('input', () => RestockProductInput) input: RestockProductInput,
    @Ctx() ctx: ProductContext,
  ): Promise<ProductPayload> {
    requireAdmin(ctx);
    return toPayload(
      new ProductPayload(),
      'product',
      await catalog.restockProduct(ctx.em, input.productId, input.quantity),
    );
  }

  @Mutation(() => BrandPayload, { description: 'Admin only.' })
  async createBrand(@Arg('name', () => String) name: string, @Ctx() ctx: ProductContext): Promise<BrandPayload> {
    requireAdmin(ctx);
    return toPayload(new BrandPayload(), 'brand', await catalog.createNamed(ctx.em, Brand, name));
  }

  @Mutation(() => CategoryPayload, { description: 'Admin only.' })
  async createCategory(@Arg('name', () => String) name: string, @Ctx() ctx: ProductContext): Promise<CategoryPayload> {
    requireAdmin(ctx);
    return toPayload(new CategoryPayload(), 'category', await catalog.createNamed(ctx.em, Category, name));
  }
}
