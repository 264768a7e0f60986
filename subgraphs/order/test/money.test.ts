import { describe, expect, it } from 'vitest';
import { formatCents, multiply, normaliseAmount, sum, toCents } from '../src/domain/money.js';

describe('order money arithmetic', () => {
  it('parses and prints amounts with two decimals exactly', () => {
    expect(toCents('19.99')).toBe(1999n);
    expect(toCents('7.5')).toBe(750n);
    expect(toCents('12')).toBe(1200n);
    expect(formatCents(5n)).toBe('0.05');
    expect(formatCents(123456789012345678n)).toBe('1234567890123456.78');
    expect(normaliseAmount('007.5')).toBe('7.50');
  });

  it('multiplies and sums without the float errors 0.1 + 0.2 would show', () => {
    expect(multiply('0.10', 3)).toBe('0.30');
    expect(sum(['0.10', '0.20'])).toBe('0.30');
    expect(multiply('19.99', 100)).toBe('1999.00');
    expect(sum(Array.from({ length: 50 }, () => multiply('999999999999.99', 100)))).toBe('4999999999999950.00');
  });

  it('refuses what is not an amount of this kind', () => {
    for (const bad of ['1.999', '-1', '1e3', 'abc', '']) expect(() => toCents(bad)).toThrow(RangeError);
    expect(() => multiply('1.00', -1)).toThrow(RangeError);
    expect(() => formatCents(-1n)).toThrow(RangeError);
  });
});
