// The cluster test's own checks and readings (e2e/faults/cluster-run.ts, docs/operations.md,
// Cluster test): one copy of every event on the bus, replicated streams, what each process counted.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Invariant } from './checks.ts';
import type { ServiceProcess } from './cluster.ts';
import { type Databases, type NatsTarget, storedEventIds, streamCopies } from './inspect.ts';
import { DB_NAME, METRICS_TOKEN } from './supergraph-env.ts';

export function check(name: string, problems: string[], okSummary: string): Invariant {
  return {
    name,
    ok: problems.length === 0,
    summary: problems.length === 0 ? okSummary : `${problems.length} problems`,
    details: problems.slice(0, 8).concat(problems.length > 8 ? [`... and ${problems.length - 8} more`] : []),
  };
}

/** Every event id in the four outboxes stored once on the bus, and nothing stored twice. */
export async function eventsStoredOnce(
  db: Databases,
  inspector: NatsTarget,
): Promise<{ problems: string[]; rows: number }> {
  const stored = await storedEventIds(inspector);
  const problems: string[] = [];
  let rows = 0;
  for (const name of Object.values(DB_NAME)) {
    const ids = await db.query<{ id: string }>(name, 'select id from outbox_messages');
    rows += ids.length;
    for (const { id } of ids) {
      const copies = stored.get(id) ?? 0;
      if (copies !== 1) problems.push(`${name} outbox row ${id}: ${copies} copies on the bus`);
    }
  }
  for (const [id, copies] of stored) if (copies > 1) problems.push(`event ${id} stored ${copies} times`);
  if (rows === 0) problems.push('no outbox rows at all: the run published nothing');
  return { problems: [...new Set(problems)], rows };
}

/** Every stream configured with `replicas` copies, all of them current once the cluster is whole again. */
export async function replication(inspector: NatsTarget, replicas: number): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const problems = [...(await streamCopies(inspector))].flatMap(([name, copies]) =>
      copies.replicas === replicas && copies.current.length === replicas
        ? []
        : [
            `${name}: ${copies.replicas} replicas configured, ${copies.current.length} current (${copies.current.join(', ')})`,
          ],
    );
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(500);
  }
}

export interface Counts {
  /** Events its consumers handled. */
  handled: number;
  /** Events its outbox relay published that the server stored, and re-publishes it dropped. */
  stored: number;
  duplicates: number;
}

/** What this process counted since it started, from its `/metrics`; zeros when it does not answer. */
export async function readCounts(service: ServiceProcess): Promise<Counts> {
  try {
    const response = await fetch(`http://127.0.0.1:${service.spec.port}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((n, match) => n + Number(match[1]), 0);
    return {
      handled: sum(/^event_handling_duration_seconds_count\{[^}]*outcome="ok"[^}]*\} (\d+)/gm),
      stored: sum(/^outbox_published_total\{[^}]*result="stored"[^}]*\} (\d+)/gm),
      duplicates: sum(/^outbox_published_total\{[^}]*result="duplicate"[^}]*\} (\d+)/gm),
    };
  } catch {
    return { handled: 0, stored: 0, duplicates: 0 };
  }
}
