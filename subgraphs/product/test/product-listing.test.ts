import { describe, expect, it } from 'vitest';
import { mergeLines } from '../src/domain/inventory.js';
import { filterConditions, likePattern, productPageQueries } from '../src/domain/product-listing.js';

const BRAND = '0a4c8f0e-1d7b-4c55-9c1e-2b8f3a6d9e01';
const CATEGORY = '7f3e2d1c-0b9a-4876-8543-210fedcba987';

describe('product filter', () => {
  it('lists active products only, unless the caller may see inactive ones', () => {
    expect(filterConditions({}, false)).toEqual({ sql: 'active', params: [] });
    expect(filterConditions({}, true)).toEqual({ sql: 'true', params: [] });
  });

  it('matches the search in name or sku, with the conditions the indexes serve', () => {
    expect(filterConditions({ search: ' Tent ', brandId: BRAND, categoryId: CATEGORY, inStock: true }, false)).toEqual({
      sql: 'active and (name ilike ? or sku ilike ?) and brand_id = ? and category_id = ? and on_hand > reserved',
      params: ['%Tent%', '%Tent%', BRAND, CATEGORY],
    });
    expect(filterConditions({ search: '  ', inStock: false }, true).sql).toBe('on_hand <= reserved');
  });

  it('matches nothing for an id that cannot exist, instead of failing', () => {
    expect(filterConditions({ brandId: 'nope', categoryId: null }, true)).toEqual({ sql: 'false', params: [] });
  });

  it('searches for LIKE wildcards literally', () => {
    expect(likePattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});

describe('keyset pages', () => {
  it('starts after the cursor in (name, id) order and counts every match', () => {
    const { page, count } = productPageQueries(
      { brandId: BRAND },
      { after: ['Tent', BRAND], limit: 21, includeInactive: false },
    );
    expect(page).toEqual({
      sql: 'select * from products where active and brand_id = ? and (name, id) > (?, ?) order by name, id limit ?',
      params: [BRAND, 'Tent', BRAND, 21],
    });
    expect(count).toEqual({
      sql: 'select count(*)::int as count from products where active and brand_id = ?',
      params: [BRAND],
    });
  });

  it('has no keyset condition on the first page', () => {
    expect(productPageQueries({}, { limit: 11, includeInactive: true }).page.sql).toBe(
      'select * from products where true order by name, id limit ?',
    );
  });
});

describe('reservation lines', () => {
  it('merges lines of one product and refuses empty orders and bad quantities', () => {
    const product = CATEGORY;
    expect(
      mergeLines([
        { productId: product.toUpperCase(), quantity: 2 },
        { productId: product, quantity: 3 },
      ]),
    ).toEqual([{ productId: product, quantity: 5 }]);
    expect(() => mergeLines([])).toThrow(RangeError);
    expect(() => mergeLines([{ productId: product, quantity: 0 }])).toThrow(RangeError);
    expect(() => mergeLines([{ productId: product, quantity: 1.5 }])).toThrow(RangeError);
  });
});
