import { describe, expect, it } from 'vitest';
import { divideHalfUp, formatUnits, parseDecimal } from '../src/domain/decimal.js';
import { assessRisk, RiskRating, rateRisk } from '../src/domain/risk.js';
import { CreditBand } from '../src/domain/score.js';

const dti = (annualIncome: string, monthlyDebts: string) =>
  assessRisk(700, { annualIncome, monthlyDebts })?.debtToIncome;

describe('debt-to-income, exact to 4 places', () => {
  it('is 12 x monthly debts / annual income', () => {
    // 12 * 1250.50 / 60000 = 0.2501 exactly
    expect(dti('60000.00', '1250.50')).toBe('0.2501');
    expect(dti('60000', '0')).toBe('0.0000');
    expect(dti('12000', '1000')).toBe('1.0000');
    expect(dti('1000.00', '1000.00')).toBe('12.0000');
  });

  it('rounds half up at the fifth place', () => {
    // 12 * 0.01 / 32 = 0.00375: exactly half at the fifth place -> up
    expect(dti('32', '0.01')).toBe('0.0038');
    // 12 * 0.01 / 96 = 0.00125 -> 0.0013
    expect(dti('96', '0.01')).toBe('0.0013');
    // 12 * 100 / 70000 = 0.017142857... -> 0.0171 (below half: down)
    expect(dti('70000', '100')).toBe('0.0171');
    // 12 * 100 / 30000 = 0.04 exactly; 12 * 100.01 / 30000 = 0.040004 -> 0.0400
    expect(dti('30000', '100.01')).toBe('0.0400');
    // 2/3 = 0.66666... -> 0.6667
    expect(dti('18', '1')).toBe('0.6667');
  });

  it('needs no float anywhere: large amounts stay exact', () => {
    expect(dti('999999999999.99', '999999999999.99')).toBe('12.0000');
    expect(dti('300000000000.00', '1.00')).toBe('0.0000');
  });

  it('has no ratio without an income', () => {
    expect(assessRisk(700, { annualIncome: '0.00', monthlyDebts: '10' })).toBeNull();
  });
});

describe('decimal helpers', () => {
  it('parses and formats without losing digits', () => {
    expect(parseDecimal('1250.50')).toEqual({ units: 125050n, scale: 2 });
    expect(parseDecimal('7')).toEqual({ units: 7n, scale: 0 });
    expect(formatUnits(5n, 4)).toBe('0.0005');
    expect(formatUnits(123456n, 4)).toBe('12.3456');
    expect(formatUnits(42n, 0)).toBe('42');
  });

  it('refuses what is not a non-negative decimal', () => {
    for (const text of ['-1', '1e3', 'abc', '', '1.']) expect(() => parseDecimal(text)).toThrow(RangeError);
    expect(() => divideHalfUp(parseDecimal('1'), parseDecimal('0'), 4)).toThrow(RangeError);
  });
});

describe('the rating rule', () => {
  it('is HIGH for a POOR band whatever the ratio', () => {
    expect(rateRisk(CreditBand.POOR, 0n)).toBe(RiskRating.HIGH);
  });

  it('is HIGH above 0.43 whatever the band', () => {
    expect(rateRisk(CreditBand.EXCEPTIONAL, 4301n)).toBe(RiskRating.HIGH);
    expect(rateRisk(CreditBand.EXCEPTIONAL, 4300n)).toBe(RiskRating.MEDIUM);
  });

  it('is LOW for GOOD or better at 0.36 or less', () => {
    for (const band of [CreditBand.GOOD, CreditBand.VERY_GOOD, CreditBand.EXCEPTIONAL]) {
      expect(rateRisk(band, 3600n)).toBe(RiskRating.LOW);
      expect(rateRisk(band, 3601n)).toBe(RiskRating.MEDIUM);
    }
  });

  it('is MEDIUM for FAIR, however low the ratio', () => {
    expect(rateRisk(CreditBand.FAIR, 0n)).toBe(RiskRating.MEDIUM);
    expect(rateRisk(CreditBand.FAIR, 4300n)).toBe(RiskRating.MEDIUM);
  });

  it('compares the rounded ratio the customer sees', () => {
    // 12 * 1075 / 36000 = 0.358333... -> "0.3583": LOW; 12 * 1290.01 / 36000 = 0.4300033... -> "0.4300": not HIGH
    expect(assessRisk(700, { annualIncome: '36000', monthlyDebts: '1075.00' })).toEqual({
      debtToIncome: '0.3583',
      rating: RiskRating.LOW,
    });
    expect(assessRisk(700, { annualIncome: '36000', monthlyDebts: '1290.01' })).toEqual({
      debtToIncome: '0.4300',
      rating: RiskRating.MEDIUM,
    });
    expect(assessRisk(650, { annualIncome: '60000.00', monthlyDebts: '1250.50' })).toEqual({
      debtToIncome: '0.2501',
      rating: RiskRating.MEDIUM,
    });
  });
});
