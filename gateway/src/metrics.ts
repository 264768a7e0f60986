import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { ServiceMetrics } from '@commerce-supergraph/shared/observability/metrics';
import { inSpan, SpanKind, traceHeaders } from '@commerce-supergraph/shared/observability/tracing';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * Each fetch in a client span whose context goes to the subgraph in `traceparent` (when tracing), and
 * timed of one subgraph until its response headers arrive (the body is read by the data
 * source afterwards): `ok`, `http_error` (a non-2xx answer) or `unreachable` (no answer at all).
 */
export function timedFetcher(metrics: ServiceMetrics, subgraph: string, fetcher: Fetcher): Fetcher {
  const attributes = { 'graphql.subgraph': subgraph };
  return (input, init) =>
    inSpan('gateway', `fetch ${subgraph}`, { kind: SpanKind.CLIENT, attributes }, async () => {
      // Apollo hands the fetcher its headers as a plain object.
      const traced = { ...init, headers: { ...(init?.headers as Record<string, string>), ...traceHeaders() } };
      const end = metrics.subgraphFetchDuration.startTimer({ subgraph });
      try {
        const response = await fetcher(input, traced);
        end({ outcome: response.ok ? 'ok' : 'http_error' });
        return response;
      } catch (error) {
        end({ outcome: 'unreachable' });
        throw error;
      }
    });
}
