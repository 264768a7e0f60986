import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { ServiceMetrics } from '@commerce-supergraph/shared/observability/metrics';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * Times each fetch of one subgraph until its response headers arrive (the body is read by the data
 * source afterwards): `ok`, `http_error` (a non-2xx answer) or `unreachable` (no answer at all).
 */
export function timedFetcher(metrics: ServiceMetrics, subgraph: string, fetcher: Fetcher): Fetcher {
  return async (input, init) => {
    const end = metrics.subgraphFetchDuration.startTimer({ subgraph });
    try {
      const response = await fetcher(input, init);
      end({ outcome: response.ok ? 'ok' : 'http_error' });
      return response;
    } catch (error) {
      end({ outcome: 'unreachable' });
      throw error;
    }
  };
}
