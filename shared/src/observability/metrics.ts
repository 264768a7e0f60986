import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds, from a cached read (a few ms) to a request at its deadline (tens of s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Operation names come from clients: past this many distinct names, new ones are counted as
 * `OTHER_OPERATION`, so a client inventing names cannot grow the series (and the memory) without bound.
 */
const MAX_OPERATION_NAMES = 200;
export const OTHER_OPERATION = '__other';
export const ANONYMOUS_OPERATION = '__anonymous';

/**
 * How often prom-client's event loop lag histogram (`nodejs_eventloop_lag_p99_seconds` and the
 * rest) takes a reading. Its default, 10 ms, is a timer that wakes every process 100 times a second
 * with nothing to do: at rest that was most of a service's CPU (about 15 of 16 ms a second a
 * subgraph on the bench machine), and each wake-up also costs a little between the requests of a
 * quiet hour. Once a second still sees a loop blocked for a second or more every time, and a loop
 * that is busy for longer stretches within a scrape; short stalls under load are what load
 * shedding's own sampler watches (shared/src/http/load-shedding.ts), every 50 ms while requests come.
 */
export const EVENT_LOOP_LAG_SAMPLE_MS = 1000;

/** A gauge whose values are read when Prometheus scrapes, e.g. with a query; may set several label sets. */
export type GaugeReader<L extends string> = (
  set: (labels: Partial<Record<L, string>>, value: number) => void,
) => Promise<void> | void;

/**
 * One service's metrics, in a registry of its own: tests run every service in one process, and
 * each service's `/metrics` must show its own figures only. Every series carries `service`.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly collectFailures: Counter<'gauge'>;

  readonly graphqlRequests: Counter<'operation' | 'outcome'>;
  readonly graphqlDuration: Histogram<'operation'>;
  readonly graphqlErrors: Counter<'code'>;
  readonly shedRequests: Counter;
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  readonly eventHandlingDuration: Histogram<'consumer' | 'outcome'>;
  readonly deadLetters: Counter<'subject' | 'consumer'>;
  readonly outboxPublished: Counter<'result'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_LAG_SAMPLE_MS });
    const registers = [this.registry];
    this.collectFailures = new Counter({
      name: 'metrics_collect_failures_total',
      help: 'Scrape-time readings that failed (database or NATS away); the gauge keeps its last value',
      labelNames: ['gauge'],
      registers,
    });
    this.graphqlRequests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL requests answered, by operation name and outcome (success, or error when any error was returned)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to sending its response, by operation name',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.graphqlErrors = new Counter({
      name: 'graphql_errors_total',
      help: 'Errors returned in GraphQL responses, by extensions.code',
      labelNames: ['code'],
      registers,
    });
    this.shedRequests = new Counter({
      name: 'http_requests_shed_total',
      help: 'GraphQL requests refused with 503 at once because the event loop was overloaded (MAX_EVENT_LOOP_DELAY_MS)',
      registers,
    });
    this.subgraphFetchDuration = new Histogram({
      name: 'gateway_subgraph_fetch_duration_seconds',
      help: 'Gateway to subgraph HTTP fetches, by subgraph and outcome (ok, http_error, unreachable)',
      labelNames: ['subgraph', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.eventHandlingDuration = new Histogram({
      name: 'event_handling_duration_seconds',
      help: 'Time one event handler took (inbox and transaction included), by consumer and outcome (ok, error)',
      labelNames: ['consumer', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.deadLetters = new Counter({
      name: 'event_dead_letters_total',
      help: 'Messages this service dead-lettered, by original subject and consumer',
      labelNames: ['subject', 'consumer'],
      registers,
    });
    this.outboxPublished = new Counter({
      name: 'outbox_published_total',
      help: 'Outbox events this relay published, by what NATS answered: stored, or duplicate (already stored under that event id, the copy dropped)',
      labelNames: ['result'],
      registers,
    });
  }

  /** The operation label for a client-given name: bounded in count, anonymous ones named as such. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return ANONYMOUS_OPERATION;
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_NAMES) return OTHER_OPERATION;
    this.operations.add(name);
    return name;
  }

  /**
   * A gauge read at scrape time. A reading that fails or takes over `timeoutMs` is counted in
   * `metrics_collect_failures_total` and leaves the last values: a scrape never fails or hangs
   * because the database or NATS is away.
   */
  gauge<L extends string>(
    spec: { name: string; help: string; labelNames?: readonly L[]; timeoutMs?: number },
    read: GaugeReader<L>,
  ): Gauge<L> {
    const failures = this.collectFailures;
    const timeoutMs = spec.timeoutMs ?? 2_000;
    return new Gauge<L>({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        const fresh: [Partial<Record<L, string>>, number][] = [];
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(() => read((labels, value) => fresh.push([labels, value]))),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`${spec.name} took over ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
        } catch {
          failures.inc({ gauge: spec.name });
          return;
        } finally {
          clearTimeout(timer);
        }
        // Replaced as a whole, so a label set that is gone (a status no order has now) reads 0 no longer.
        this.reset();
        for (const [labels, value] of fresh) this.set(labels as never, value);
      },
    });
  }

  /** The text Prometheus scrapes. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
