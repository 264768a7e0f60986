import { describe, expect, it } from 'vitest';
import { bandOf, CreditBand, clampScore, moveScore } from '../src/domain/score.js';

describe('credit bands', () => {
  it.each([
    [300, CreditBand.POOR],
    [579, CreditBand.POOR],
    [580, CreditBand.FAIR],
    [650, CreditBand.FAIR],
    [669, CreditBand.FAIR],
    [670, CreditBand.GOOD],
    [739, CreditBand.GOOD],
    [740, CreditBand.VERY_GOOD],
    [799, CreditBand.VERY_GOOD],
    [800, CreditBand.EXCEPTIONAL],
    [850, CreditBand.EXCEPTIONAL],
  ])('puts %i in %s', (score, band) => {
    expect(bandOf(score)).toBe(band);
  });

  it('refuses scores off the scale', () => {
    for (const score of [299, 851, 650.5, Number.NaN]) expect(() => bandOf(score)).toThrow(RangeError);
  });
});

describe('moving a score', () => {
  it('applies a delta inside the scale unchanged', () => {
    expect(moveScore(650, 5)).toEqual({ score: 655, delta: 5 });
    expect(moveScore(650, -10)).toEqual({ score: 640, delta: -10 });
  });

  it('clamps at 850 and 300 and reports the delta actually applied', () => {
    expect(moveScore(848, 5)).toEqual({ score: 850, delta: 2 });
    expect(moveScore(850, 5)).toEqual({ score: 850, delta: 0 });
    expect(moveScore(305, -10)).toEqual({ score: 300, delta: -5 });
    expect(moveScore(650, 10_000)).toEqual({ score: 850, delta: 200 });
    expect(moveScore(650, -10_000)).toEqual({ score: 300, delta: -350 });
  });

  it('clamps any number into the scale', () => {
    expect([clampScore(0), clampScore(700), clampScore(9_999)]).toEqual([300, 700, 850]);
  });
});
