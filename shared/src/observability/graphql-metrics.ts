import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import type { ServiceMetrics } from './metrics.js';

/** Codes are the server's own words (UPPER_SNAKE); anything else is one label, not a new series each. */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Requests, latency and error codes per operation, for the gateway and every subgraph alike. It
 * reads the response as the client gets it (after formatError), so the codes counted are the codes
 * clients see; a request refused before its operation was known counts under its name if it had one.
 */
export function graphqlMetricsPlugin<TContext extends BaseContext>(
  metrics: ServiceMetrics,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, operationName }) {
          const operation = metrics.operationLabel(operationName ?? request.operationName);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          metrics.graphqlDuration.observe({ operation }, seconds);
          // The request's server span (when tracing) says which operation it served.
          trace.getActiveSpan()?.setAttribute('graphql.operation.name', operation);
          metrics.graphqlRequests.inc({ operation, outcome: errors.length > 0 ? 'error' : 'success' });
          for (const error of errors) {
            const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            metrics.graphqlErrors.inc({ code: CODE.test(code) ? code : 'OTHER' });
          }
        },
      };
    },
  };
}
