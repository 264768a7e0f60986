/** Milliseconds since the run started: every time the suite prints is on this clock. */
export class Clock {
  private readonly origin = performance.now();
  /** Wall time (epoch ms) of the clock's zero, to place database timestamps on this clock. */
  private readonly wallOrigin = Date.now();

  /** A wall time (epoch ms, e.g. a database timestamp) on this clock. */
  fromWall(epochMs: number): number {
    return epochMs - this.wallOrigin;
  }

  now(): number {
    return performance.now() - this.origin;
  }

  stamp(at = this.now()): string {
    return `+${(at / 1000).toFixed(2)}s`;
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
