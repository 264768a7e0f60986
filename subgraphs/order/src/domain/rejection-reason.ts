import type { ShortLine } from '../events/contracts/consumed.js';

/**
 * The customer-readable reason of a rejection, from the product subgraph's short lines and the
 * names the order kept: "Not enough stock for Desk Lamp (3 requested, 1 available)".
 */
export function rejectionReason(shortLines: readonly ShortLine[], names: ReadonlyMap<string, string>): string {
  if (shortLines.length === 0) return 'The items could not be reserved';
  return shortLines
    .map(({ productId, requested, available }) => {
      const name = names.get(productId.toLowerCase()) ?? `product ${productId}`;
      return `Not enough stock for ${name} (${requested} requested, ${available} available)`;
    })
    .join('; ');
}
