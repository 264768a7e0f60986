/** Milliseconds since the run started: every time the suite prints is on this clock. */
export class Clock {
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  stamp(at = this.now()): string {
    return `+${(at / 1000).toFixed(2)}s`;
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
