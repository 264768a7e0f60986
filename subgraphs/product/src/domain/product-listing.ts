import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Product } from '../entities/index.js';

export interface ProductFilter {
  search?: string | null;
  brandId?: string | null;
  categoryId?: string | null;
  inStock?: boolean | null;
}

export interface ListOptions {
  /** The (name, id) of the last product of the previous page. */
  after?: readonly [string, string];
  /** Rows to fetch: the page size plus one, to learn whether another page follows. */
  limit: number;
  /** Admins see inactive products too; everyone else browses what can be ordered. */
  includeInactive: boolean;
}

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/** The keyset order: name for people, id to make it total, so pages never overlap or leave gaps. */
export const productCursorKey = (product: Product): [string, string] => [product.name, product.id];

/** Escapes LIKE wildcards, so a search for "50%" finds "50%" and not everything starting with "50". */
export const likePattern = (term: string): string => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The filter as SQL conditions. Each is written the way its index needs it: `ilike` for the trigram
 * indexes, `on_hand > reserved` exactly as the partial index's predicate says.
 */
export function filterConditions(filter: ProductFilter, includeInactive: boolean): SqlQuery {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (!includeInactive) conditions.push('active');
  const search = filter.search?.trim();
  if (search) {
    conditions.push('(name ilike ? or sku ilike ?)');
    params.push(likePattern(search), likePattern(search));
  }
  for (const [column, id] of [
    ['brand_id', filter.brandId],
    ['category_id', filter.categoryId],
  ] as const) {
    if (id === undefined || id === null) continue;
    // An id that cannot exist matches nothing, rather than failing the query.
    if (!isUuid(id)) conditions.push('false');
    else {
      conditions.push(`${column} = ?`);
      params.push(id);
    }
  }
  if (filter.inStock === true) conditions.push('on_hand > reserved');
  if (filter.inStock === false) conditions.push('on_hand <= reserved');
  return { sql: conditions.length > 0 ? conditions.join(' and ') : 'true', params };
}

/** One page in (name, id) order, starting after the cursor, and the count of every match. */
export function productPageQueries(filter: ProductFilter, options: ListOptions): { page: SqlQuery; count: SqlQuery } {
  const where = filterConditions(filter, options.includeInactive);
  const keyset = options.after ? ' and (name, id) > (?, ?)' : '';
  return {
    page: {
      sql: `select * from products where ${where.sql}${keyset} order by name, id limit ?`,
      params: [...where.params, ...(options.after ?? []), options.limit],
    },
    count: { sql: `select count(*)::int as count from products where ${where.sql}`, params: where.params },
  };
}

/** Two statements whatever the page size: the page and the total. */
export async function listProducts(
  em: EntityManager,
  filter: ProductFilter,
  options: ListOptions,
): Promise<{ rows: Product[]; totalCount: number }> {
  const { page, count } = productPageQueries(filter, options);
  const rows: Record<string, unknown>[] = await em.execute(page.sql, page.params);
  const [total] = await em.execute<{ count: number }[]>(count.sql, count.params);
  return { rows: rows.map((row) => em.map(Product, row)), totalCount: total?.count ?? 0 };
}
