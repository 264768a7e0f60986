import { divideHalfUp, formatUnits, parseDecimal, scaled } from './decimal.js';
import { bandOf, bandRank, CreditBand } from './score.js';

export enum RiskRating {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}

/** What the rating needs from the customer's financial profile (owned by the customer subgraph). */
export interface DebtAndIncome {
  annualIncome: string;
  monthlyDebts: string;
}

export interface RiskAssessmentResult {
  /** 12 x monthlyDebts / annualIncome, exactly 4 decimals, rounded half-up, e.g. "0.2501". */
  debtToIncome: string;
  rating: RiskRating;
}

const DTI_PLACES = 4;

/**
 * Thresholds on the debt-to-income ratio, in units of 10^-4. 0.43 is the ceiling US lenders use
 * for a qualified mortgage; 0.36 is the conventional "comfortable" line below it.
 */
const HIGH_DTI_ABOVE = 4300n;
const LOW_DTI_AT_MOST = 3600n;

/**
 * The rating rule:
 * - HIGH when the band is POOR, or the ratio is above 0.43 (whatever the score);
 * - LOW when the band is GOOD or better and the ratio is at most 0.36;
 * - MEDIUM otherwise.
 * The ratio compared is the rounded one the customer sees, so the rating never contradicts it.
 */
export function rateRisk(band: CreditBand, debtToIncomeUnits: bigint): RiskRating {
  if (band === CreditBand.POOR || debtToIncomeUnits > HIGH_DTI_ABOVE) return RiskRating.HIGH;
  if (bandRank(band) >= bandRank(CreditBand.GOOD) && debtToIncomeUnits <= LOW_DTI_AT_MOST) return RiskRating.LOW;
  return RiskRating.MEDIUM;
}

/** The assessment for a score and a profile; null when the income is zero (no ratio exists). */
export function assessRisk(score: number, profile: DebtAndIncome): RiskAssessmentResult | null {
  const income = parseDecimal(profile.annualIncome);
  if (income.units === 0n) return null;
  const monthly = parseDecimal(profile.monthlyDebts);
  const units = divideHalfUp(scaled(12n * monthly.units, monthly.scale), income, DTI_PLACES);
  return { debtToIncome: formatUnits(units, DTI_PLACES), rating: rateRisk(bandOf(score), units) };
}
