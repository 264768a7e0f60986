/**
 * The scoring rules of the API (docs/api.md) as pure functions. Scores live on the FICO scale, so the
 * bands are FICO's: a frontend can explain a score with the vocabulary customers already know.
 */
export const MIN_SCORE = 300;
export const MAX_SCORE = 850;
export const INITIAL_SCORE = 650;

/** How one payment moves the score: paying on time builds credit slowly, a decline costs more. */
export const PAYMENT_SUCCEEDED_DELTA = 5;
export const PAYMENT_FAILED_DELTA = -10;

export enum CreditBand {
  POOR = 'POOR',
  FAIR = 'FAIR',
  GOOD = 'GOOD',
  VERY_GOOD = 'VERY_GOOD',
  EXCEPTIONAL = 'EXCEPTIONAL',
}

/** Lowest score of each band, best band first. */
const BAND_FLOORS: [number, CreditBand][] = [
  [800, CreditBand.EXCEPTIONAL],
  [740, CreditBand.VERY_GOOD],
  [670, CreditBand.GOOD],
  [580, CreditBand.FAIR],
];

export function bandOf(score: number): CreditBand {
  if (!Number.isInteger(score) || score < MIN_SCORE || score > MAX_SCORE) {
    throw new RangeError(`a score is a whole number from ${MIN_SCORE} to ${MAX_SCORE}, got ${score}`);
  }
  return BAND_FLOORS.find(([floor]) => score >= floor)?.[1] ?? CreditBand.POOR;
}

export const clampScore = (score: number): number => Math.min(MAX_SCORE, Math.max(MIN_SCORE, score));

export interface ScoreMove {
  score: number;
  /** What was applied after clamping: 0 when the score already sat at the bound it was pushed to. */
  delta: number;
}

/** Where `delta` takes `score`, kept inside the scale. */
export function moveScore(score: number, delta: number): ScoreMove {
  const next = clampScore(score + delta);
  return { score: next, delta: next - score };
}

/** Rank of a band, POOR = 0 ... EXCEPTIONAL = 4, for "GOOD or better" comparisons. */
export const bandRank = (band: CreditBand): number => Object.values(CreditBand).indexOf(band);
