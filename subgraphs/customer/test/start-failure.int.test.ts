import { createServer, type Server } from 'node:net';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createCustomerSubgraph } from '../src/app.js';
import { testCustomerConfig } from './helpers.js';

let nats: TestNatsServer;
let busy: Server;
let port: number;

beforeAll(async () => {
  nats = await startNatsServer();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '0.0.0.0', resolve));
  port = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  busy?.close();
  await nats?.dispose();
});

it('stops what it had started when start-up fails, leaving no database connection open', async () => {
  const config = { ...testCustomerConfig({ NATS_URL: nats.url }), port };
  await expect(createCustomerSubgraph(config).start()).rejects.toThrow(/EADDRINUSE/);
  const connections = () =>
    querySql<{ n: number }>('postgres', 'select count(*)::int as n from pg_stat_activity where datname = ?', [
      config.dbName,
    ]);
  await vi.waitFor(async () => expect((await connections())[0]?.n).toBe(0), { timeout: 5_000, interval: 100 });
  await dropDatabase(config.dbName);
});
