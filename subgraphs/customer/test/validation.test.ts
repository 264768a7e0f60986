import { describe, expect, it } from 'vitest';
import { validateFinancialProfile, validateProfile, validateRegistration } from '../src/domain/validation.js';

const today = new Date('2026-11-21T12:00:00Z');
const valid = { name: 'Ada', email: 'Ada@Example.com', password: 'password123' };
const codes = (errors: { field?: string[]; code: string }[]) => errors.map((e) => [e.field?.join('.'), e.code]);

describe('registration rules', () => {
  it('accepts a valid registration', () => {
    expect(validateRegistration({ ...valid, phone: '+4915112345678', dateOfBirth: '1990-05-17' }, today)).toEqual([]);
  });

  it('reports every problem with its field path and code', () => {
    const errors = validateRegistration(
      { name: '  ', email: 'not-an-email', password: 'short', phone: '0151 123', dateOfBirth: '2026-11-21' },
      today,
    );
    expect(codes(errors)).toEqual([
      ['input.name', 'BLANK'],
      ['input.phone', 'INVALID'],
      ['input.dateOfBirth', 'INVALID'],
      ['input.email', 'INVALID'],
      ['input.password', 'TOO_SHORT'],
    ]);
  });

  it('treats an empty email as blank and a 7-character password as too short', () => {
    expect(codes(validateRegistration({ ...valid, email: ' ', password: '1234567' }, today))).toEqual([
      ['input.email', 'BLANK'],
      ['input.password', 'TOO_SHORT'],
    ]);
  });
});

describe('profile updates', () => {
  it('allows clearing optional fields but not the name', () => {
    expect(validateProfile({ phone: null, address: null, dateOfBirth: null }, ['input'], today)).toEqual([]);
    expect(codes(validateProfile({ name: null }, ['input'], today))).toEqual([['input.name', 'BLANK']]);
  });
});

describe('financial profile rules', () => {
  it('needs a positive income and non-negative debts and assets', () => {
    expect(validateFinancialProfile({ annualIncome: '60000.00', monthlyDebts: '0', totalAssets: '1500.5' })).toEqual(
      [],
    );
    expect(codes(validateFinancialProfile({ annualIncome: '0', monthlyDebts: '-1', totalAssets: '-0.01' }))).toEqual([
      ['input.annualIncome', 'INVALID'],
      ['input.monthlyDebts', 'INVALID'],
      ['input.totalAssets', 'INVALID'],
    ]);
  });

  it('refuses amounts the column cannot hold', () => {
    expect(codes(validateFinancialProfile({ annualIncome: '1.005', monthlyDebts: '0', totalAssets: '1e3' }))).toEqual([
      ['input.annualIncome', 'INVALID'],
      ['input.totalAssets', 'INVALID'],
    ]);
  });
});
