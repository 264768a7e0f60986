/**
 * Exact order arithmetic in minor units (cents) as BigInt. Catalog prices have at most two decimals
 * (numeric(14,2) in the product subgraph), so line totals and order totals are exact; a float would
 * be off by a cent now and then, and BigInt never overflows whatever the quantities.
 */
const AMOUNT = /^(\d+)(?:\.(\d{1,2}))?$/;

export function toCents(amount: string): bigint {
  const match = AMOUNT.exec(amount.trim());
  if (!match) throw new RangeError(`not an amount with at most two decimals: "${amount}"`);
  return BigInt(match[1] ?? '0') * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

/** 1999n -> "19.99", 5n -> "0.05": always two decimals, as numeric(…,2) columns give them back. */
export function formatCents(cents: bigint): string {
  if (cents < 0n) throw new RangeError('amounts are never negative here');
  const digits = cents.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** The normalised form of an amount: "7.5" -> "7.50". */
export const normaliseAmount = (amount: string): string => formatCents(toCents(amount));

export const multiply = (unitPrice: string, quantity: number): string => {
  if (!Number.isSafeInteger(quantity) || quantity < 0) throw new RangeError(`bad quantity ${quantity}`);
  return formatCents(toCents(unitPrice) * BigInt(quantity));
};

export const sum = (amounts: readonly string[]): string =>
  formatCents(amounts.reduce((total, amount) => total + toCents(amount), 0n));
