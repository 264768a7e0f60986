import { describe, expect, it } from 'vitest';
import { ReadinessConnection } from '../../src/db/readiness-connection.js';

/** A pool as pg-pool builds one: the password kept out of enumeration, so out of stack traces. */
function poolWithHiddenPassword(seen: Record<string, unknown>[]) {
  const options: Record<string, unknown> = { host: '127.0.0.1', port: 5432, user: 'postgres' };
  Object.defineProperty(options, 'password', { value: 's3cret', enumerable: false, writable: true });
  class Client {
    constructor(clientOptions: Record<string, unknown>) {
      seen.push(clientOptions);
    }
    on() {}
    async connect() {}
    async query() {
      return { rows: [] };
    }
    async end() {}
  }
  return { Client, options };
}

describe('ReadinessConnection', () => {
  it("opens its connection with the pool's credentials, the hidden password included", async () => {
    const seen: Record<string, unknown>[] = [];
    const readiness = new ReadinessConnection(poolWithHiddenPassword(seen) as never, 1_000);
    await readiness.probe();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ user: 'postgres', password: 's3cret', application_name: 'readiness' });
  });
});
