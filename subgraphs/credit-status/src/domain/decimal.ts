/**
 * Exact decimal arithmetic on strings, with BigInt: amounts arrive as decimal strings ("1250.50")
 * and a ratio computed in floating point would be off in the last place now and then.
 */
export interface Scaled {
  /** The value times 10^scale, e.g. "1250.50" -> 125050n with scale 2. */
  units: bigint;
  scale: number;
}

const NON_NEGATIVE_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export function parseDecimal(text: string): Scaled {
  const match = NON_NEGATIVE_DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`not a non-negative decimal: "${text}"`);
  const fraction = match[2] ?? '';
  return { units: BigInt(`${match[1]}${fraction}`), scale: fraction.length };
}

/**
 * numerator / denominator with `places` decimals, rounded half-up (half away from zero: both are
 * non-negative here), as units at that scale.
 */
export function divideHalfUp(numerator: Scaled, denominator: Scaled, places: number): bigint {
  if (denominator.units === 0n) throw new RangeError('division by zero');
  // n/10^ns / (d/10^ds) * 10^places = n * 10^(ds + places) / (d * 10^ns)
  const top = numerator.units * 10n ** BigInt(denominator.scale + places);
  const bottom = denominator.units * 10n ** BigInt(numerator.scale);
  const quotient = top / bottom;
  return 2n * (top % bottom) >= bottom ? quotient + 1n : quotient;
}

/** 2501n at 4 places -> "0.2501"; always exactly `places` decimals. */
export function formatUnits(units: bigint, places: number): string {
  const digits = units.toString().padStart(places + 1, '0');
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

export const scaled = (units: bigint, scale: number): Scaled => ({ units, scale });
