import type { Orm } from '@commerce-supergraph/shared/db/orm';
import { openTestDatabase, type TestDatabase, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailKey, type Reservation, Throttle } from '../src/domain/throttle.js';
import { entities, ThrottleAttempt } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';

const WINDOW_SECONDS = 900;
const throttle = new Throttle({
  login: { maxPerEmail: 3, maxPerClient: 10, windowSeconds: WINDOW_SECONDS },
  registration: { maxPerClient: 4, windowSeconds: 3600 },
});
let db: TestDatabase;
let other: Orm;

beforeAll(async () => {
  db = await openTestDatabase({ dbName: testDatabaseName('throttle'), entities, migrations });
  other = await db.openAnother();
});
afterAll(() => db?.dispose());

const em = () => db.orm.em.fork();
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const keysLeft = async () => (await em().find(ThrottleAttempt, {})).map((row) => row.key).sort();

/** A login attempt that fails: its reservation stays as the failure. */
async function fail(email: string, client: string, at?: Date): Promise<void> {
  expect(await throttle.reserveLogin(em(), email, client, at)).toBeDefined();
}

describe('throttle against PostgreSQL', () => {
  it('blocks an email after the allowed failures inside the window, and a success clears it', async () => {
    for (let n = 0; n < 3; n++) await fail('a@example.com', '10.0.0.1');
    expect(await throttle.reserveLogin(em(), 'a@example.com', '10.0.0.2')).toBeUndefined();
    expect(await throttle.reserveLogin(em(), 'b@example.com', '10.0.0.2')).toBeDefined();

    for (let n = 0; n < 2; n++) await fail('c@example.com', '10.0.0.3');
    const success = (await throttle.reserveLogin(em(), 'c@example.com', '10.0.0.3')) as Reservation;
    await throttle.loginSucceeded(em(), 'c@example.com', success);
    expect(await throttle.reserveLogin(em(), 'c@example.com', '10.0.0.4')).toBeDefined();
    // The success gave its client slot back; the two failures before it stay with the client.
    expect((await keysLeft()).filter((key) => key === 'client:10.0.0.3')).toHaveLength(2);
  });

  it('does not count attempts from before the window, and forgets them at the next attempt', async () => {
    for (let n = 0; n < 3; n++) await fail('old@example.com', '10.0.0.9', minutesAgo(20));
    await fail('old@example.com', '10.0.0.9');
    const keys = [emailKey('old@example.com'), 'client:10.0.0.9'];
    expect((await keysLeft()).filter((key) => keys.includes(key)).sort()).toEqual(keys.sort());
    // The email is counted by its hash: no attempt keeps the address itself.
    expect((await keysLeft()).filter((key) => key.includes('old@example.com'))).toEqual([]);
  });

  it('blocks a client after its failures across many emails', async () => {
    for (let n = 0; n < 10; n++) await fail(`probe${n}@example.com`, '10.0.1.1');
    expect(await throttle.reserveLogin(em(), 'fresh@example.com', '10.0.1.1')).toBeUndefined();
    expect(await throttle.reserveLogin(em(), 'fresh@example.com', '10.0.1.2')).toBeDefined();
  });

  it('grants 200 simultaneous logins for one email, from two instances, exactly the limit', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        throttle.reserveLogin((i % 2 ? db.orm : other).em.fork(), 'crowd@example.com', `10.0.2.${i % 50}`),
      ),
    );
    expect(attempts.filter(Boolean)).toHaveLength(3);
    expect((await keysLeft()).filter((key) => key === emailKey('crowd@example.com'))).toHaveLength(3);
  });

  it('limits registrations per client, also when they race, and gives a released slot back', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        throttle.reserveRegistration((i % 2 ? db.orm : other).em.fork(), '10.0.3.1'),
      ),
    );
    const granted = attempts.filter((reservation): reservation is Reservation => reservation !== undefined);
    expect(granted).toHaveLength(4);
    expect(await throttle.reserveRegistration(em(), '10.0.3.2')).toBeDefined();

    await throttle.release(em(), granted[0] as Reservation);
    expect(await throttle.reserveRegistration(em(), '10.0.3.1')).toBeDefined();
    expect(await throttle.reserveRegistration(em(), '10.0.3.1')).toBeUndefined();
  });
});
