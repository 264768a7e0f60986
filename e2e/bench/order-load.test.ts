import { describe, expect, it } from 'vitest';
import { type Sample, slowestSent } from './order-load.ts';

/** `count` orders sent 100 ms apart from t = 1000 ms, each settled `latency(i)` ms after it was sent. */
function phase(count: number, latency: (i: number) => number) {
  const samples: Sample[] = Array.from({ length: count }, (_, i) => ({ sentAt: 1_000 + i * 100, orderId: `o${i}` }));
  const settledAt = new Map(samples.map((s, i) => [s, s.sentAt + latency(i)]));
  return { samples, at: (s: Sample) => settledAt.get(s) as number };
}

describe('slowestSent', () => {
  it('names when the slowest 1 % were sent, in seconds into the phase, earliest first', () => {
    const { samples, at } = phase(200, (i) => (i === 150 ? 900 : i === 3 ? 700 : 10 + (i % 7)));
    expect(slowestSent(samples, at, 1_000)).toBe('0.30, 15.00 s into the phase');
  });

  it('names at least one order, and rounds 1 % up', () => {
    const few = phase(50, (i) => (i === 49 ? 80 : 5));
    expect(slowestSent(few.samples, few.at, 1_000)).toBe('4.90 s into the phase');
    // 1.2 % of 120 rounds up to 2, where rounding to the nearest would name 1.
    const more = phase(120, (i) => (i >= 118 ? 500 + i : 5));
    expect(slowestSent(more.samples, more.at, 1_000)).toBe('11.80, 11.90 s into the phase');
  });
});
