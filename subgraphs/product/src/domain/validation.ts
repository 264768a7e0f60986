import { type UserError, userError } from '@commerce-supergraph/shared/graphql/errors';

/**
 * Input rules of the API (docs/api.md), as pure functions: each returns every problem it finds, with
 * the path of the input field, and an empty list means the input may be stored.
 */
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** What numeric(14,2) holds: 12 integer digits and at most 2 decimals. */
const PRICE = /^\d{1,12}(\.\d{1,2})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_SKU = 64;
const MAX_NAME = 200;
const MAX_DESCRIPTION = 5_000;
const MAX_URL = 2_048;
const MAX_CATALOG_NAME = 100;
/** Per restock or initial stock: keeps the integer columns far from overflowing. */
const MAX_STOCK_CHANGE = 1_000_000;

export interface NewProductFields {
  sku: string;
  name: string;
  description?: string | null;
  price: string;
  currencyCode?: string | null;
  imageUrl?: string | null;
  initialStock?: number | null;
}

export function validateNewProduct(input: NewProductFields): UserError[] {
  const at = (field: string) => ['input', field];
  const errors: UserError[] = [];
  const sku = input.sku.trim();
  if (sku === '') errors.push(userError(at('sku'), 'BLANK', 'SKU must not be blank'));
  else if (sku.length > MAX_SKU || !SKU.test(sku)) {
    errors.push(userError(at('sku'), 'INVALID', `SKU takes letters, digits, ".", "_" and "-", at most ${MAX_SKU}`));
  }
  errors.push(...validateName(input.name, at('name')));
  errors.push(...validatePrice(input.price, at('price')));
  if (input.currencyCode !== undefined && input.currencyCode !== null && !CURRENCY.test(input.currencyCode)) {
    errors.push(userError(at('currencyCode'), 'INVALID', 'Currency must be an ISO 4217 code such as USD'));
  }
  const stock = input.initialStock ?? 0;
  if (!Number.isInteger(stock) || stock < 0 || stock > MAX_STOCK_CHANGE) {
    errors.push(userError(at('initialStock'), 'INVALID', `Initial stock must be from 0 to ${MAX_STOCK_CHANGE}`));
  }
  errors.push(...validateText(input, at));
  return errors;
}

export interface ProductChanges {
  name?: string | null;
  description?: string | null;
  price?: string | null;
  imageUrl?: string | null;
  active?: boolean | null;
}

/** Only given fields are checked; null clears description or image, and is refused for the rest. */
export function validateProductChanges(input: ProductChanges): UserError[] {
  const at = (field: string) => ['input', field];
  const errors: UserError[] = [];
  if (input.name !== undefined) errors.push(...validateName(input.name ?? '', at('name')));
  errors.push(...validateText(input, at));
  if (input.price === null) errors.push(userError(at('price'), 'INVALID', 'Price cannot be removed'));
  else if (input.price !== undefined) errors.push(...validatePrice(input.price, at('price')));
  if (input.active === null) errors.push(userError(at('active'), 'INVALID', 'Active must be true or false'));
  return errors;
}

export function validateRestockQuantity(quantity: number): UserError[] {
  if (Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_STOCK_CHANGE) return [];
  return [userError(['input', 'quantity'], 'INVALID', `Quantity must be from 1 to ${MAX_STOCK_CHANGE}`)];
}

/** A brand or category name. */
export function validateCatalogName(name: string, path: string[]): UserError[] {
  if (name.trim() === '') return [userError(path, 'BLANK', 'Name must not be blank')];
  if (name.trim().length > MAX_CATALOG_NAME) {
    return [userError(path, 'INVALID', `Name must be at most ${MAX_CATALOG_NAME} characters`)];
  }
  return [];
}

/** Prices are decimal strings (the scalar checked the format); here their range and precision. */
export function validatePrice(price: string, path: string[]): UserError[] {
  if (!PRICE.test(price) || !(Number(price) > 0)) {
    return [userError(path, 'INVALID', 'Price must be greater than 0, with at most 12 digits and 2 decimals')];
  }
  return [];
}

function validateName(name: string, path: string[]): UserError[] {
  if (name.trim() === '') return [userError(path, 'BLANK', 'Name must not be blank')];
  if (name.trim().length > MAX_NAME) {
    return [userError(path, 'INVALID', `Name must be at most ${MAX_NAME} characters`)];
  }
  return [];
}

function validateText(input: { description?: string | null; imageUrl?: string | null }, at: (f: string) => string[]) {
  const errors: UserError[] = [];
  if (input.description && input.description.length > MAX_DESCRIPTION) {
    errors.push(userError(at('description'), 'INVALID', `Description must be at most ${MAX_DESCRIPTION} characters`));
  }
  if (input.imageUrl && !isWebUrl(input.imageUrl)) {
    errors.push(userError(at('imageUrl'), 'INVALID', 'Image URL must be an http or https URL'));
  }
  return errors;
}

function isWebUrl(value: string): boolean {
  if (value.length > MAX_URL || !URL.canParse(value)) return false;
  return ['http:', 'https:'].includes(new URL(value).protocol);
}

/** The form PostgreSQL gives back for numeric(14,2) ("007.5" -> "7.50"), so events and answers agree. */
export function normalisePrice(price: string): string {
  const [whole = '0', fraction = ''] = price.split('.');
  return `${whole.replace(/^0+(?=\d)/, '')}.${fraction.padEnd(2, '0')}`;
}
