import { openTestDatabase, type TestDatabase, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../src/domain/login-throttle.js';
import { entities, LoginFailure } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

const WINDOW_SECONDS = 900;
const throttle = new LoginThrottle({ maxPerEmail: 3, maxPerClient: 10, windowSeconds: WINDOW_SECONDS });
let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase({ dbName: testDatabaseName('throttle'), entities, migrations });
});
afterAll(() => db?.dispose());

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const keysLeft = async () => (await db.orm.em.fork().find(LoginFailure, {})).map((row) => row.key).sort();

describe('login throttle against PostgreSQL', () => {
  it('blocks an email after the allowed failures inside the window, and a success clears it', async () => {
    const em = db.orm.em.fork();
    for (let n = 0; n < 3; n++) await throttle.recordFailure(em, 'a@example.com', '10.0.0.1');
    expect(await throttle.isBlocked(em, 'a@example.com', '10.0.0.2')).toBe(true);
    expect(await throttle.isBlocked(em, 'b@example.com', '10.0.0.2')).toBe(false);
    await throttle.recordSuccess(em, 'a@example.com');
    expect(await throttle.isBlocked(em, 'a@example.com', '10.0.0.2')).toBe(false);
  });

  it('does not count failures from before the window, and forgets them at the next failure', async () => {
    const em = db.orm.em.fork();
    for (let n = 0; n < 3; n++) await throttle.recordFailure(em, 'old@example.com', '10.0.0.9', minutesAgo(20));
    expect(await throttle.isBlocked(em, 'old@example.com', '10.0.0.8')).toBe(false);
    await throttle.recordFailure(db.orm.em.fork(), 'old@example.com', '10.0.0.9');
    expect((await keysLeft()).filter((key) => key.includes('old@') || key.includes('10.0.0.9'))).toEqual([
      'client:10.0.0.9',
      'email:old@example.com',
    ]);
  });
});
