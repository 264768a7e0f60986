/**
 * How the gateway's `/ready` asks a subgraph: each probe has `timeoutMs`, probes asked for together
 * share one, and an answer is reused for `freshForMs`, so a load balancer polling the gateway hard
 * does not multiply the probes each subgraph serves.
 *
 * Once there is an answer, `/ready` never waits for a probe: an older answer starts a new probe in
 * the background and is given meanwhile (at most `freshForMs` plus one probe old). Waiting cost up to
 * `timeoutMs` whenever a subgraph was slow to answer, and a gateway busy with a retry storm during a
 * database outage then answered its own `/ready` after more than the 2 s it promises (fault suite).
 */
export interface SubgraphReadinessOptions {
  timeoutMs: number;
  freshForMs: number;
  now?: () => number;
}

export const SUBGRAPH_READINESS: SubgraphReadinessOptions = { timeoutMs: 1_000, freshForMs: 1_000 };

export function subgraphReadiness(
  probe: (timeoutMs: number) => Promise<void>,
  options: SubgraphReadinessOptions = SUBGRAPH_READINESS,
): () => Promise<void> {
  const now = options.now ?? Date.now;
  let last: { at: number; error: unknown } | undefined;
  let running: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    try {
      await probe(options.timeoutMs);
      last = { at: now(), error: undefined };
    } catch (error) {
      last = { at: now(), error };
    }
  };
  return async () => {
    if (last === undefined || now() - last.at >= options.freshForMs) {
      running ??= run().finally(() => {
        running = undefined;
      });
      // Only the very first answer is waited for.
      if (last === undefined) await running;
    }
    if (last?.error !== undefined) throw last.error;
  };
}
