import { describe, expect, it } from 'vitest';
import { validateAdjustment } from '../src/domain/validation.js';

const codes = (errors: { field?: string[]; code: string }[]) => errors.map((e) => [e.field?.join('.'), e.code]);

describe('manual score adjustments', () => {
  it('accepts a non-zero delta with a reason', () => {
    expect(validateAdjustment({ delta: -25, reason: 'Missed rent' })).toEqual([]);
  });

  it('reports a zero delta and a blank reason together', () => {
    expect(codes(validateAdjustment({ delta: 0, reason: '  ' }))).toEqual([
      ['input.delta', 'INVALID'],
      ['input.reason', 'BLANK'],
    ]);
  });

  it('refuses a reason longer than 500 characters', () => {
    expect(codes(validateAdjustment({ delta: 1, reason: 'x'.repeat(501) }))).toEqual([['input.reason', 'INVALID']]);
  });
});
