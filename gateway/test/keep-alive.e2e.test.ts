import { createServer } from 'node:http';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Edge, type RunningGateway, startEdge } from './fixtures/harness.js';

/** Short, so the test idles past it many times; the ratio is what production has (10 s and 4 s). */
const SUBGRAPH_KEEP_ALIVE_MS = 3000;
const GATEWAY_KEEP_ALIVE_MS = 1000;
/**
 * Node's server holds an idle connection this much past its advertised keep-alive timeout
 * (`keepAliveTimeoutBuffer`, Node 24), so the subgraph really closes at the sum of the two.
 */
const SERVER_BUFFER_MS = (createServer() as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer ?? 0;
const CLOSES_AT = SUBGRAPH_KEEP_ALIVE_MS + SERVER_BUFFER_MS;
/** Idle pauses around both moments the subgraph could be closing a connection the gateway still holds. */
const PAUSES = [-10, 0, 10, 40].flatMap((delta) => [SUBGRAPH_KEEP_ALIVE_MS + delta, CLOSES_AT + delta]);
const BURST = 10;

let edge: Edge;
let gateway: RunningGateway;
const log = createLogger('gateway', { LOG_LEVEL: 'silent' });
const debug = vi.spyOn(log, 'debug');

beforeAll(async () => {
  edge = await startEdge({ subgraphKeepAliveTimeoutMs: SUBGRAPH_KEEP_ALIVE_MS });
  // Straight to the subgraph server, whose keep-alive timeout is the one that matters here.
  gateway = await edge.startGateway(
    { GATEWAY_SUBGRAPH_KEEP_ALIVE_MS: String(GATEWAY_KEEP_ALIVE_MS) },
    edge.subgraph.directUrl,
    { log },
  );
});
afterAll(() => edge?.close());

const logged = (message: string) =>
  debug.mock.calls.filter(([, text]) => text === message).map(([fields]) => fields as { reason?: string });

describe('keep-alive between the gateway and a subgraph', () => {
  it(
    'never sends a request on a connection the subgraph closes: idle pauses just past its keep-alive timeout',
    async () => {
      const failures: unknown[] = [];
      let sent = 0;
      for (const pause of [0, ...PAUSES]) {
        await new Promise((resolve) => setTimeout(resolve, pause));
        const responses = await Promise.all(
          Array.from({ length: BURST }, () => postGraphQL(gateway.url, '{ node { id } }')),
        );
        sent += BURST;
        for (const response of responses) {
          if (response.status !== 200 || response.errors || response.data?.node?.id !== '1') failures.push(response);
        }
      }
      expect(failures).toEqual([]);

      // The gateway, not the subgraph, closed every connection that went idle...
      const closed = logged('subgraph connection closed');
      expect(closed.length).toBeGreaterThan(0);
      expect(closed.filter((fields) => fields.reason !== 'socket idle timeout')).toEqual([]);
      // ...and kept them alive in between: connections are reused, not one per request.
      expect(logged('subgraph connection opened').length).toBeLessThan(sent);
    },
    (PAUSES.length + 1) * (CLOSES_AT + 2000),
  );
});
