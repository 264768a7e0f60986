import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import { type UserError, userError } from '@commerce-supergraph/shared/graphql/errors';
import { multiply, sum } from './money.js';

/** The contract's limits on placeOrder (docs/api.md). */
export const MAX_LINES = 50;
const MAX_QUANTITY = 100;
const MAX_IDEMPOTENCY_KEY = 255;

export interface OrderLineRequest {
  productId: string;
  quantity: number;
}

/** What the price projection knows of a product. */
export interface CatalogPrice {
  productId: string;
  name: string;
  price: string;
  currency: string;
  active: boolean;
}

interface PricedLine {
  position: number;
  productId: string;
  productName: string;
  quantity: number;
  unitPrice: string;
  lineTotal: string;
  currency: string;
}

export interface PricedOrder {
  lines: PricedLine[];
  total: string;
  currency: string;
}

/** Field paths are strings, so a line index is one too: ["input", "items", "2", "quantity"]. */
const linePath = (index: number, field: string): string[] => ['input', 'items', String(index), field];

/** The key as stored (trimmed), or undefined when none was given. */
export function idempotencyKeyOf(key: string | null | undefined): string | undefined {
  const trimmed = key?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export function validateIdempotencyKey(key: string | null | undefined, path: string[]): UserError[] {
  if (key === null || key === undefined) return [];
  if (key.trim() === '') return [userError(path, 'BLANK', 'The idempotency key must not be blank when given')];
  if (key.length > MAX_IDEMPOTENCY_KEY) {
    return [userError(path, 'INVALID', `The idempotency key has at most ${MAX_IDEMPOTENCY_KEY} characters`)];
  }
  return [];
}

/** What can be checked without the catalog: the number of lines, each quantity, distinct products. */
export function validateLines(items: readonly OrderLineRequest[]): UserError[] {
  if (items.length < 1 || items.length > MAX_LINES) {
    return [userError(['input', 'items'], 'INVALID', `An order has 1 to ${MAX_LINES} items`)];
  }
  const errors: UserError[] = [];
  const seen = new Set<string>();
  items.forEach(({ productId, quantity }, i) => {
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      errors.push(userError(linePath(i, 'quantity'), 'INVALID', `Quantity must be from 1 to ${MAX_QUANTITY}`));
    }
    const key = productId.trim().toLowerCase();
    if (seen.has(key)) {
      errors.push(userError(linePath(i, 'productId'), 'INVALID', 'This product is already in the order'));
    }
    seen.add(key);
  });
  return errors;
}

/** The projection's entry for a line's product, if it can be ordered (known, active). */
function orderable(productId: string, prices: ReadonlyMap<string, CatalogPrice>): CatalogPrice | undefined {
  const id = productId.trim().toLowerCase();
  const known = isUuid(id) ? prices.get(id) : undefined;
  return known?.active ? known : undefined;
}

/**
 * Checks the lines against the projection. A product it does not know, or knows as inactive, is
 * UNKNOWN_PRODUCT at that line (an id that is not even a uuid too); mixed currencies are INVALID.
 * `prices` is keyed by lower-case product id.
 */
export function checkProducts(
  items: readonly OrderLineRequest[],
  prices: ReadonlyMap<string, CatalogPrice>,
): UserError[] {
  const errors: UserError[] = [];
  const currencies = new Set<string>();
  items.forEach(({ productId }, i) => {
    const known = orderable(productId, prices);
    if (known) currencies.add(known.currency);
    else errors.push(userError(linePath(i, 'productId'), 'UNKNOWN_PRODUCT', 'No product with this id can be ordered'));
  });
  if (currencies.size > 1) {
    errors.push(userError(['input', 'items'], 'INVALID', 'All items of an order must be priced in one currency'));
  }
  return errors;
}

/** Prices lines that passed validateLines and checkProducts: unit prices, line totals and the total. */
export function priceLines(items: readonly OrderLineRequest[], prices: ReadonlyMap<string, CatalogPrice>): PricedOrder {
  const lines = items.map(({ productId, quantity }, position): PricedLine => {
    const known = orderable(productId, prices);
    if (!known) throw new Error(`line ${position} was not checked: ${productId} cannot be ordered`);
    const { name, price, currency } = known;
    const lineTotal = multiply(price, quantity);
    return { position, productId: known.productId, productName: name, quantity, unitPrice: price, lineTotal, currency };
  });
  const currency = lines[0]?.currency;
  if (currency === undefined || lines.some((line) => line.currency !== currency)) {
    throw new Error('lines were not checked: an order needs lines in one currency');
  }
  return { lines, total: sum(lines.map((line) => line.lineTotal)), currency };
}
