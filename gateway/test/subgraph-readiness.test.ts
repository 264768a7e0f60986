import { describe, expect, it } from 'vitest';
import { subgraphReadiness } from '../src/subgraph-readiness.js';

/** A probe the test answers by hand, counting how often it was asked and with what timeout. */
function manualProbe() {
  const calls: { timeoutMs: number; settle: (error?: Error) => void }[] = [];
  const probe = (timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ timeoutMs, settle: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, probe };
}

describe('subgraphReadiness', () => {
  it('probes with its own timeout and shares one probe among callers asking together', async () => {
    const { calls, probe } = manualProbe();
    const check = subgraphReadiness(probe, { timeoutMs: 700, freshForMs: 1_000 });
    const answers = Promise.all([check(), check(), check()]);
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.timeoutMs).toBe(700);
    calls[0]?.settle();
    await expect(answers).resolves.toBeDefined();
  });

  it('reuses an answer while it is fresh, failures included, then probes again without waiting for it', async () => {
    const { calls, probe } = manualProbe();
    let clock = 0;
    const check = subgraphReadiness(probe, { timeoutMs: 1_000, freshForMs: 1_000, now: () => clock });
    const first = check();
    await Promise.resolve();
    calls[0]?.settle(new Error('http://order:4004/ready is not ready (HTTP 503)'));
    await expect(first).rejects.toThrow(/HTTP 503/);
    clock = 999;
    await expect(check()).rejects.toThrow(/HTTP 503/);
    expect(calls).toHaveLength(1);

    // Older than freshForMs: the last answer is given at once while a new probe runs.
    clock = 1_000;
    await expect(check()).rejects.toThrow(/HTTP 503/);
    expect(calls).toHaveLength(2);
    await expect(check()).rejects.toThrow(/HTTP 503/);
    expect(calls).toHaveLength(2);
    calls[1]?.settle();
    await new Promise((resolve) => setImmediate(resolve));
    clock = 1_500;
    await expect(check()).resolves.toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it('answers a stale check at once even while its probe hangs', async () => {
    const { calls, probe } = manualProbe();
    let clock = 0;
    const check = subgraphReadiness(probe, { timeoutMs: 1_000, freshForMs: 1_000, now: () => clock });
    const first = check();
    await Promise.resolve();
    calls[0]?.settle();
    await first;
    clock = 5_000;
    // The new probe never settles here; the check still answers with the last result.
    await expect(check()).resolves.toBeUndefined();
    expect(calls).toHaveLength(2);
  });
});
