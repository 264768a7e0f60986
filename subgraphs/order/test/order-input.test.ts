import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CatalogPrice,
  checkProducts,
  idempotencyKeyOf,
  priceLines,
  validateIdempotencyKey,
  validateLines,
} from '../src/domain/order-input.js';

const codes = (errors: { field?: string[]; code: string }[]) => errors.map((e) => [e.field?.join('.'), e.code]);
const price = (fields: Partial<CatalogPrice> = {}): CatalogPrice => ({
  productId: randomUUID(),
  name: 'Lamp',
  price: '19.99',
  currency: 'USD',
  active: true,
  ...fields,
});
const catalog = (...prices: CatalogPrice[]) => new Map(prices.map((p) => [p.productId, p]));

describe('validateLines', () => {
  it('needs 1 to 50 lines', () => {
    expect(codes(validateLines([]))).toEqual([['input.items', 'INVALID']]);
    const many = Array.from({ length: 51 }, () => ({ productId: randomUUID(), quantity: 1 }));
    expect(codes(validateLines(many))).toEqual([['input.items', 'INVALID']]);
    expect(validateLines(many.slice(0, 50))).toEqual([]);
  });

  it('reports each bad quantity and each repeated product at its line', () => {
    const id = randomUUID();
    const errors = validateLines([
      { productId: id, quantity: 0 },
      { productId: randomUUID(), quantity: 100 },
      { productId: randomUUID(), quantity: 101 },
      { productId: id.toUpperCase(), quantity: 1 },
    ]);
    expect(codes(errors)).toEqual([
      ['input.items.0.quantity', 'INVALID'],
      ['input.items.2.quantity', 'INVALID'],
      ['input.items.3.productId', 'INVALID'],
    ]);
  });
});

describe('checkProducts and priceLines', () => {
  it('says UNKNOWN_PRODUCT at the line of an unknown, inactive or malformed id', () => {
    const known = price();
    const inactive = price({ active: false });
    const items = [known, inactive].map((p) => ({ productId: p.productId, quantity: 1 }));
    items.push({ productId: randomUUID(), quantity: 1 }, { productId: 'not-a-uuid', quantity: 1 });
    expect(codes(checkProducts(items, catalog(known, inactive)))).toEqual([
      ['input.items.1.productId', 'UNKNOWN_PRODUCT'],
      ['input.items.2.productId', 'UNKNOWN_PRODUCT'],
      ['input.items.3.productId', 'UNKNOWN_PRODUCT'],
    ]);
  });

  it('refuses an order priced in two currencies', () => {
    const usd = price();
    const eur = price({ currency: 'EUR' });
    const items = [usd, eur].map((p) => ({ productId: p.productId, quantity: 1 }));
    expect(codes(checkProducts(items, catalog(usd, eur)))).toEqual([['input.items', 'INVALID']]);
  });

  it('prices every line from the catalog and sums the total exactly', () => {
    const a = price({ price: '0.10', name: 'Pin' });
    const b = price({ price: '19.99', name: 'Lamp' });
    const items = [
      { productId: a.productId.toUpperCase(), quantity: 3 },
      { productId: b.productId, quantity: 2 },
    ];
    expect(checkProducts(items, catalog(a, b))).toEqual([]);
    expect(priceLines(items, catalog(a, b))).toEqual({
      total: '40.28',
      currency: 'USD',
      lines: [
        {
          position: 0,
          productId: a.productId,
          productName: 'Pin',
          quantity: 3,
          unitPrice: '0.10',
          lineTotal: '0.30',
          currency: 'USD',
        },
        {
          position: 1,
          productId: b.productId,
          productName: 'Lamp',
          quantity: 2,
          unitPrice: '19.99',
          lineTotal: '39.98',
          currency: 'USD',
        },
      ],
    });
  });
});

describe('idempotency keys', () => {
  it('are optional, trimmed, not blank and at most 255 characters', () => {
    expect(validateIdempotencyKey(undefined, ['k'])).toEqual([]);
    expect(codes(validateIdempotencyKey('  ', ['k']))).toEqual([['k', 'BLANK']]);
    expect(codes(validateIdempotencyKey('x'.repeat(256), ['k']))).toEqual([['k', 'INVALID']]);
    expect(idempotencyKeyOf(' abc ')).toBe('abc');
    expect(idempotencyKeyOf(null)).toBeUndefined();
  });
});
