import { describe, expect, it } from 'vitest';
import { lingerOf } from '../../src/events/service-events.js';

describe("a subscription's linger", () => {
  it('ends once as many wait as the consumer hands out at once', () => {
    expect(lingerOf({ lingerMs: 100, concurrency: 16 })).toEqual({ ms: 100, upTo: 16 });
  });

  it("takes the bus's default concurrency (one at a time) when none is given", () => {
    expect(lingerOf({ lingerMs: 100 })).toEqual({ ms: 100, upTo: 1 });
  });

  it('is none without lingerMs, or with 0', () => {
    expect(lingerOf({ concurrency: 16 })).toBeUndefined();
    expect(lingerOf({ lingerMs: 0, concurrency: 16 })).toBeUndefined();
  });
});
