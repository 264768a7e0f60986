import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer } from '../entities/index.js';

export interface DirectoryFilter {
  /** Any part of the name or the email, case-insensitive. */
  search?: string | null;
  registeredAfter?: Date | null;
  registeredBefore?: Date | null;
}

export interface DirectoryPage {
  /** The (createdAt as ISO-8601, id) of the last customer of the previous page. */
  after?: readonly [string, string];
  /** Rows to fetch: the page size plus one, to learn whether another page follows. */
  limit: number;
}

/** Newest first; the id breaks ties of one millisecond, so pages never overlap or leave gaps. */
export const customerCursorKey = (customer: Customer): [string, string] => [
  customer.createdAt.toISOString(),
  customer.id,
];

/** `%`, `_` and `\` in a search are meant literally, not as LIKE wildcards. */
const likePattern = (search: string): string => `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The WHERE of the filter. The search matches `lower(name)` and `email` (stored lower-cased) with
 * LIKE, which the trigram indexes of both serve (migration customer_lifecycle).
 */
function conditions(filter: DirectoryFilter): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  const search = filter.search?.trim();
  if (search) {
    const pattern = likePattern(search);
    sql.push(`(lower(name) like ? or email like ?)`);
    params.push(pattern, pattern);
  }
  if (filter.registeredAfter) {
    sql.push('created_at > ?');
    params.push(filter.registeredAfter);
  }
  if (filter.registeredBefore) {
    sql.push('created_at < ?');
    params.push(filter.registeredBefore);
  }
  return { sql, params };
}

/** One page of the directory, newest first (keyset on created_at, id), and the count of all matches. */
export async function listCustomers(
  em: EntityManager,
  filter: DirectoryFilter,
  page: DirectoryPage,
): Promise<{ rows: Customer[]; totalCount: number }> {
  const where = conditions(filter);
  const keyset = page.after ? ['(created_at, id) < (?::timestamptz, ?::uuid)'] : [];
  const clause = (extra: string[]) => {
    const all = [...where.sql, ...extra];
    return all.length > 0 ? ` where ${all.join(' and ')}` : '';
  };
  const rows: Record<string, unknown>[] = await em.execute(
    `select id, name, email, phone, address, date_of_birth, roles, created_at, updated_at from customers${clause(keyset)}
      order by created_at desc, id desc limit ?`,
    [...where.params, ...(page.after ?? []), page.limit],
  );
  const [total] = await em.execute<{ count: number }[]>(
    `select count(*)::int as count from customers${clause([])}`,
    where.params,
  );
  return { rows: rows.map((row) => em.map(Customer, row)), totalCount: total?.count ?? 0 };
}
