import type { ApolloServer } from '@apollo/server';
import { afterEach, expect, it, vi } from 'vitest';
import { EventLoopPressure } from '../../src/http/load-shedding.js';
import { createGraphQLHttpServer, listen, type RunningServer } from '../../src/http/server.js';
import { silentLog } from '../events/helpers.js';

let running: RunningServer | undefined;
let pressure: EventLoopPressure | undefined;
afterEach(async () => {
  pressure?.stop();
  await running?.close(0);
  running = undefined;
});

/** Keeps the event loop busy: turns of `turnMs` of synchronous work, one after another, for `forMs`. */
async function saturate(turnMs: number, forMs: number, onTurn: () => void): Promise<void> {
  const end = performance.now() + forMs;
  while (performance.now() < end) {
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const until = performance.now() + turnMs;
        while (performance.now() < until) {
          // busy: the loop runs late, as under a backlog of work
        }
        onTurn();
        resolve();
      }),
    );
  }
}

it('is overloaded after two late turns of the loop in a row, and no longer once a turn is on time', async () => {
  pressure = new EventLoopPressure({ maxDelayMs: 100, log: silentLog() });
  pressure.start();
  await new Promise((resolve) => setTimeout(resolve, 120));
  expect(pressure.overloaded()).toBe(false);

  const readings: boolean[] = [];
  await saturate(150, 1_200, () => readings.push(pressure?.overloaded() ?? false));
  // One late turn is not enough (a pause of the process looks the same); a run of them is.
  expect(readings[0]).toBe(false);
  expect(readings.filter(Boolean).length).toBeGreaterThanOrEqual(3);
  expect(pressure.currentDelayMs).toBeGreaterThan(100);

  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(pressure.overloaded()).toBe(false);
});

it('reads the loop once a second while no request comes, every 50 ms from the first that does', async () => {
  const sample = vi.spyOn(EventLoopPressure.prototype as unknown as { sample(): void }, 'sample');
  try {
    pressure = new EventLoopPressure({ maxDelayMs: 100, log: silentLog() });
    pressure.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const idle = sample.mock.calls.length;
    // An idle service wakes once a second for it, not 30 times in 1.5 s.
    expect(idle).toBeGreaterThanOrEqual(1);
    expect(idle).toBeLessThanOrEqual(2);
    for (let i = 0; i < 50; i++) {
      expect(pressure.overloaded()).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Some 500 ms of requests: a reading every 50 ms, whatever the idle timer had left to run.
    expect(sample.mock.calls.length - idle).toBeGreaterThanOrEqual(6);
  } finally {
    sample.mockRestore();
  }
});

it('refuses the first request after the loop ran late while none came', async () => {
  pressure = new EventLoopPressure({ maxDelayMs: 100, log: silentLog() });
  pressure.start();
  // A backlog of event handling, no request: turns longer than the idle timer's second.
  await saturate(1_300, 2_500, () => undefined);
  expect(pressure.currentDelayMs).toBeGreaterThan(100);
  expect(pressure.overloaded()).toBe(true);
});

it('never refuses with a limit of 0', async () => {
  pressure = new EventLoopPressure({ maxDelayMs: 0, log: silentLog() });
  pressure.start();
  const readings: boolean[] = [];
  await saturate(150, 700, () => readings.push(pressure?.overloaded() ?? false));
  expect(readings.length).toBeGreaterThan(2);
  expect(readings.some(Boolean)).toBe(false);
});

it('refuses GraphQL with 503 SERVICE_UNAVAILABLE and Retry-After while overloaded, and still answers /ready', async () => {
  let shed = 0;
  // Overloaded for the whole test: what the server does with it, not how it is measured.
  class Overloaded extends EventLoopPressure {
    override overloaded(): boolean {
      return true;
    }
  }
  const server = createGraphQLHttpServer({
    // Never reached: a refused request is answered before GraphQL sees it.
    apollo: {} as ApolloServer,
    log: silentLog(),
    context: async () => ({}),
    readiness: { database: async () => undefined },
    pressure: new Overloaded({ maxDelayMs: 100, log: silentLog(), onShed: () => shed++ }),
  });
  running = await listen(server, 0, '127.0.0.1');

  const response = await fetch(running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(await response.json()).toEqual({
    errors: [
      {
        message: 'Service temporarily unavailable',
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'overloaded', retryAfterSeconds: 1 },
      },
    ],
  });
  expect(shed).toBe(1);

  const ready = await fetch(new URL('/ready', running.url));
  expect(ready.status).toBe(200);
  expect(shed).toBe(1);
});
