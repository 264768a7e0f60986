import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { afterEach, expect, it } from 'vitest';
import {
  createSubgraphConnections,
  SLOW_START_CONNECTIONS,
  SubgraphBusyError,
  type SubgraphConnections,
  SubgraphUnreachableError,
} from '../src/subgraph-connections.js';

const log = createLogger('gateway-test', { LOG_LEVEL: 'silent' });
const settings = { keepAliveMs: 4_000, connections: 3, maxQueued: 100, maxWaitMs: 10_000, log };
const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
let connections: SubgraphConnections | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await connections?.close();
  await close?.();
  connections = undefined;
});

/** A subgraph that holds every GraphQL request until released, answers /ready at once, and counts connections. */
async function slowSubgraph(port = 0) {
  const held: ServerResponse[] = [];
  let opened = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/ready') return res.end('{"status":"ready"}');
    req.resume();
    held.push(res);
  });
  server.on('connection', () => opened++);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/graphql`,
    held,
    opened: () => opened,
    release: () => {
      for (const res of held.splice(0)) res.end('{"data":{}}');
    },
  };
}

it('opens at most `connections` to a subgraph; more fetches wait for one; /ready does not wait behind them', async () => {
  const subgraph = await slowSubgraph();
  connections = createSubgraphConnections(subgraph.url, { ...settings, connections: 3 });
  const fetches = Array.from({ length: 10 }, () => connections?.fetcher(subgraph.url, post));
  await expect.poll(() => subgraph.held.length).toBe(3);
  // All three are busy, yet the readiness probe is answered on a connection of its own.
  await connections.probe(1_000);
  expect(subgraph.opened()).toBe(4);

  // The waiting fetches go out as connections free up, never over the bound.
  let answered = 0;
  for (const fetch of fetches) void fetch?.then(() => answered++);
  const until = Date.now() + 10_000;
  while (answered < fetches.length && Date.now() < until) {
    expect(subgraph.held.length).toBeLessThanOrEqual(3);
    subgraph.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const answers = await Promise.all(fetches);
  expect(answers.map((answer) => answer?.status)).toEqual(Array(10).fill(200));
  expect(subgraph.opened()).toBe(4);
});

it('refuses a fetch unsent, at once, when the queue is full, and after maxWaitMs when no connection frees', async () => {
  const subgraph = await slowSubgraph();
  const pool = createSubgraphConnections(subgraph.url, { ...settings, connections: 1, maxQueued: 1, maxWaitMs: 200 });
  connections = pool;
  const first = pool.fetcher(subgraph.url, post);
  await expect.poll(() => subgraph.held.length).toBe(1);
  const waiting = pool.fetcher(subgraph.url, post);
  const started = performance.now();
  await expect(pool.fetcher(subgraph.url, post)).rejects.toBeInstanceOf(SubgraphBusyError);
  expect(performance.now() - started).toBeLessThan(50);
  await expect(waiting).rejects.toBeInstanceOf(SubgraphBusyError);
  expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  // Neither refused fetch reached the subgraph; the one sent is answered, and the slot is free again.
  expect(subgraph.held).toHaveLength(1);
  subgraph.release();
  expect((await first).status).toBe(200);
  const next = pool.fetcher(subgraph.url, post);
  await expect.poll(() => subgraph.held.length).toBe(1);
  subgraph.release();
  expect((await next).status).toBe(200);
});

it('meets a subgraph back from being unreachable with a few connections, one more per answer', async () => {
  // A port with nothing on it: the subgraph is down.
  const free = await slowSubgraph();
  const port = Number(new URL(free.url).port);
  await close?.();
  const pool = createSubgraphConnections(free.url, { ...settings, connections: 6 });
  connections = pool;
  await expect(pool.fetcher(free.url, post)).rejects.toBeInstanceOf(SubgraphUnreachableError);

  // Back: the first fetches open SLOW_START_CONNECTIONS connections; once they are open, ten in
  // all wait for a slot rather than each opening one of the six at once.
  const subgraph = await slowSubgraph(port);
  const fetches = Array.from({ length: SLOW_START_CONNECTIONS }, () => pool.fetcher(subgraph.url, post));
  await expect.poll(() => subgraph.held.length).toBe(SLOW_START_CONNECTIONS);
  fetches.push(...Array.from({ length: 10 - SLOW_START_CONNECTIONS }, () => pool.fetcher(subgraph.url, post)));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(subgraph.opened()).toBe(SLOW_START_CONNECTIONS);

  // Each answer lets one more in besides the next waiter, up to the bound of six.
  const seen: number[] = [];
  while (subgraph.held.length > 0) {
    seen.push(subgraph.held.length);
    subgraph.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(seen).toEqual([2, 4, 4]);
  expect(subgraph.opened()).toBeLessThanOrEqual(6);
  for (const fetch of fetches) expect((await fetch).status).toBe(200);
});

it('while the subgraph still refuses, fetches beyond the slow start fail as unreachable at once, not as busy', async () => {
  const free = await slowSubgraph();
  await close?.();
  // No queue at all: a fetch that had to wait for a slot would be refused as busy.
  const pool = createSubgraphConnections(free.url, { ...settings, connections: 6, maxQueued: 0 });
  connections = pool;
  await expect(pool.fetcher(free.url, post)).rejects.toBeInstanceOf(SubgraphUnreachableError);
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => pool.fetcher(free.url, post)));
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('rejected');
    expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(SubgraphUnreachableError);
  }
});
