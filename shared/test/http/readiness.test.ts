import type { ApolloServer } from '@apollo/server';
import { afterEach, expect, it } from 'vitest';
import { createGraphQLHttpServer, listen, type RunningServer } from '../../src/http/server.js';
import { silentLog } from '../events/helpers.js';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close(0);
  running = undefined;
});

async function serve(options: Partial<Parameters<typeof createGraphQLHttpServer>[0]>): Promise<string> {
  const server = createGraphQLHttpServer({
    apollo: {} as ApolloServer,
    log: silentLog(),
    context: async () => ({}),
    ...options,
  });
  running = await listen(server, 0, '127.0.0.1');
  return running.url.replace('/graphql', '');
}

const get = async (url: string) => {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return { status: response.status, body: await response.json(), ms: performance.now() - started };
};

it('answers /ready within its timeout when a check never settles, naming the check and why', async () => {
  let probes = 0;
  const base = await serve({
    readiness: {
      database: () => {
        probes++;
        return new Promise(() => undefined);
      },
      other: async () => undefined,
    },
    readinessTimeoutMs: 300,
  });
  // Ten at once share one probe: a load balancer polling hard does not multiply the checks.
  const answers = await Promise.all(Array.from({ length: 10 }, () => get(`${base}/ready`)));
  for (const answer of answers) {
    expect(answer.status).toBe(503);
    expect(answer.ms).toBeLessThan(1_000);
    expect(answer.body).toEqual({
      status: 'not ready',
      checks: { database: 'unavailable', other: 'ok' },
      reasons: { database: 'readiness check database did not finish within 300 ms' },
    });
  }
  expect(probes).toBe(1);
});

it('reports what /health is given, with 200 whatever it says', async () => {
  const base = await serve({
    readiness: { database: async () => undefined },
    health: () => ({ nats: { status: 'disconnected' } }),
  });
  expect(await get(`${base}/health`)).toMatchObject({
    status: 200,
    body: { status: 'ok', nats: { status: 'disconnected' } },
  });
  expect(await get(`${base}/ready`)).toMatchObject({
    status: 200,
    body: { status: 'ready', checks: { database: 'ok' } },
  });
});
