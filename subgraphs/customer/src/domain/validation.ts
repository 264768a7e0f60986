import { type UserError, userError } from '@commerce-supergraph/shared/graphql/errors';

/**
 * Input rules of the API (docs/api.md), as pure functions: each returns every problem it finds, so
 * a form can show them all at once, and an empty list means the input may be stored.
 */
export const MIN_PASSWORD_LENGTH = 8;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_TEXT = 500;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export interface ProfileFields {
  name?: string | null;
  phone?: string | null;
  address?: string | null;
  dateOfBirth?: string | null;
}

export function validateProfile(input: ProfileFields, path: string[], today = new Date()): UserError[] {
  const errors: UserError[] = [];
  if (input.name !== undefined && input.name !== null) {
    if (input.name.trim() === '') errors.push(userError([...path, 'name'], 'BLANK', 'Name must not be blank'));
    else if (input.name.length > MAX_TEXT) errors.push(tooLong(path, 'name'));
  }
  if (input.name === null) errors.push(userError([...path, 'name'], 'BLANK', 'Name must not be blank'));
  if (input.phone && !E164.test(input.phone)) {
    errors.push(userError([...path, 'phone'], 'INVALID', 'Phone must be in E.164 format, e.g. +4915112345678'));
  }
  if (input.address && input.address.length > MAX_TEXT) errors.push(tooLong(path, 'address'));
  if (input.dateOfBirth && input.dateOfBirth >= today.toISOString().slice(0, 10)) {
    errors.push(userError([...path, 'dateOfBirth'], 'INVALID', 'Date of birth must be in the past'));
  }
  return errors;
}

export interface RegistrationFields extends ProfileFields {
  name: string;
  email: string;
  password: string;
}

export function validateRegistration(input: RegistrationFields, today = new Date()): UserError[] {
  const errors = validateProfile(input, ['input'], today);
  const email = normaliseEmail(input.email);
  if (email === '') errors.push(userError(['input', 'email'], 'BLANK', 'Email must not be blank'));
  else if (!EMAIL.test(email) || email.length > 254) {
    errors.push(userError(['input', 'email'], 'INVALID', 'Email is not a valid address'));
  }
  errors.push(...validatePassword(input.password, ['input', 'password']));
  return errors;
}

/** The one password rule, for registration, a change and a reset alike. */
export function validatePassword(password: string, field: string[]): UserError[] {
  if (password.length >= MIN_PASSWORD_LENGTH) return [];
  return [userError(field, 'TOO_SHORT', `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)];
}

export interface FinancialFields {
  annualIncome: string;
  monthlyDebts: string;
  totalAssets: string;
}

/** Amounts are decimal strings (the scalar checked the format); here only their range. */
export function validateFinancialProfile(input: FinancialFields): UserError[] {
  const errors: UserError[] = [];
  if (!(Number(input.annualIncome) > 0)) {
    errors.push(userError(['input', 'annualIncome'], 'INVALID', 'Annual income must be greater than 0'));
  }
  for (const field of ['monthlyDebts', 'totalAssets'] as const) {
    if (Number(input[field]) < 0) errors.push(userError(['input', field], 'INVALID', `${field} must not be negative`));
  }
  for (const field of ['annualIncome', 'monthlyDebts', 'totalAssets'] as const) {
    if (!/^\d{1,12}(\.\d{1,2})?$/.test(input[field].replace(/^-/, ''))) {
      errors.push(userError(['input', field], 'INVALID', `${field} allows at most 12 digits and 2 decimal places`));
    }
  }
  return errors;
}

const tooLong = (path: string[], field: string): UserError =>
  userError([...path, field], 'INVALID', `${field} must be at most ${MAX_TEXT} characters`);
