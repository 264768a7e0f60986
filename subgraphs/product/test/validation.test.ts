import { describe, expect, it } from 'vitest';
import {
  normalisePrice,
  validateCatalogName,
  validateNewProduct,
  validatePrice,
  validateProductChanges,
  validateRestockQuantity,
} from '../src/domain/validation.js';

const valid = { sku: 'ALP-TENT-2P', name: 'Tent', price: '189.00' };
const codes = (errors: { field?: string[]; code: string }[]) => errors.map((e) => [e.field?.join('.'), e.code]);

describe('new product rules', () => {
  it('accepts a valid product with every optional field', () => {
    const full = {
      ...valid,
      description: 'A tent',
      currencyCode: 'EUR',
      imageUrl: 'https://x.test/a.png',
      initialStock: 0,
    };
    expect(validateNewProduct(full)).toEqual([]);
  });

  it('reports every problem with its field path and code', () => {
    const errors = validateNewProduct({
      sku: ' ',
      name: '',
      price: '0',
      currencyCode: 'usd',
      imageUrl: 'ftp://x.test/a.png',
      initialStock: -1,
    });
    expect(codes(errors)).toEqual([
      ['input.sku', 'BLANK'],
      ['input.name', 'BLANK'],
      ['input.price', 'INVALID'],
      ['input.currencyCode', 'INVALID'],
      ['input.initialStock', 'INVALID'],
      ['input.imageUrl', 'INVALID'],
    ]);
  });

  it('refuses SKUs with spaces or symbols, and overly long names', () => {
    expect(codes(validateNewProduct({ ...valid, sku: 'A B' }))).toEqual([['input.sku', 'INVALID']]);
    expect(codes(validateNewProduct({ ...valid, sku: 'A'.repeat(65) }))).toEqual([['input.sku', 'INVALID']]);
    expect(codes(validateNewProduct({ ...valid, name: 'n'.repeat(201) }))).toEqual([['input.name', 'INVALID']]);
    expect(validateNewProduct({ ...valid, sku: 'a.b_c-1' })).toEqual([]);
  });
});

describe('prices', () => {
  it('must be greater than zero with at most 12 digits and 2 decimals', () => {
    for (const good of ['0.01', '19.9', '19.99', '999999999999.99', '5'])
      expect(validatePrice(good, ['p'])).toEqual([]);
    for (const bad of ['0', '0.00', '-1', '1.999', '1234567890123', '1e3']) {
      expect(codes(validatePrice(bad, ['p']))).toEqual([['p', 'INVALID']]);
    }
  });

  it('are stored and announced in the form PostgreSQL returns', () => {
    expect(['19.9', '5', '007.5', '0.01', '12.34'].map(normalisePrice)).toEqual([
      '19.90',
      '5.00',
      '7.50',
      '0.01',
      '12.34',
    ]);
  });
});

describe('product changes', () => {
  it('checks only what is given; null clears description and image but nothing else', () => {
    expect(validateProductChanges({})).toEqual([]);
    expect(validateProductChanges({ description: null, imageUrl: null, active: false })).toEqual([]);
    expect(codes(validateProductChanges({ name: null, price: null, active: null }))).toEqual([
      ['input.name', 'BLANK'],
      ['input.price', 'INVALID'],
      ['input.active', 'INVALID'],
    ]);
    expect(codes(validateProductChanges({ name: ' ', price: '-2' }))).toEqual([
      ['input.name', 'BLANK'],
      ['input.price', 'INVALID'],
    ]);
  });
});

describe('restock and catalog names', () => {
  it('restocks at least one unit', () => {
    expect(validateRestockQuantity(1)).toEqual([]);
    for (const bad of [0, -3, 1.5, 1_000_001])
      expect(codes(validateRestockQuantity(bad))).toEqual([['input.quantity', 'INVALID']]);
  });

  it('needs a brand or category name of at most 100 characters', () => {
    expect(validateCatalogName('Ironwood', ['name'])).toEqual([]);
    expect(codes(validateCatalogName('  ', ['name']))).toEqual([['name', 'BLANK']]);
    expect(codes(validateCatalogName('x'.repeat(101), ['name']))).toEqual([['name', 'INVALID']]);
  });
});
