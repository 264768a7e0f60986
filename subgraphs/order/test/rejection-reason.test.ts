import { describe, expect, it } from 'vitest';
import { rejectionReason } from '../src/domain/rejection-reason.js';

describe('rejectionReason', () => {
  const names = new Map([['a0000000-0000-4000-8000-000000000000', 'Desk Lamp']]);

  it('names each short product with what was asked and what there was', () => {
    const short = [
      { productId: 'A0000000-0000-4000-8000-000000000000', requested: 3, available: 1 },
      { productId: 'b0000000-0000-4000-8000-000000000000', requested: 1, available: 0 },
    ];
    expect(rejectionReason(short, names)).toBe(
      'Not enough stock for Desk Lamp (3 requested, 1 available); ' +
        'Not enough stock for product b0000000-0000-4000-8000-000000000000 (1 requested, 0 available)',
    );
  });

  it('still gives a reason when the product subgraph sent no lines', () => {
    expect(rejectionReason([], names)).toBe('The items could not be reserved');
  });
});
