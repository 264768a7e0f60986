import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InboxMessage, withInbox } from '../../src/events/inbox.js';
import type { Linger } from '../../src/events/inbox-groups.js';
import { numberedEvents, openTestDatabase, Tally, type TestDatabase } from './helpers.js';

let db: TestDatabase;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(async () => {
  await db.dispose();
});

const CONSUMER = 'linger-test';
const { event, delivery } = numberedEvents(CONSUMER, 'linger.message.arrived.v1');

/** A subscription with `linger`, counting the transactions its messages ran in and when each was done. */
function lingering(linger: Linger | undefined) {
  const transactions = new Set<unknown>();
  const handler = withInbox(
    db.orm,
    async (envelope, { em }) => {
      transactions.add(em);
      em.create(Tally, { key: envelope.id, count: (envelope.data as { n: number }).n });
      await em.flush();
    },
    { linger },
  );
  const started = performance.now();
  const doneAt: number[] = [];
  const send = (n: number) => handler(event(n), delivery(n + 1)).then(() => (doneAt[n] = performance.now() - started));
  return { send, transactions, doneAt };
}

/**
 * Five messages 250 ms apart, a steady trickle: far enough apart that, without a linger, each one's
 * transaction is over before the next arrives, even on a slow machine.
 */
async function trickle(send: (n: number) => Promise<unknown>) {
  const handled: Promise<unknown>[] = [];
  for (let n = 0; n < 5; n++) {
    handled.push(send(n));
    await sleep(250);
  }
  await Promise.all(handled);
}

const tallies = async () => (await db.orm.em.fork().find(Tally, {})).map((t) => t.count).sort((a, b) => a - b);
const inboxRows = () => db.orm.em.fork().count(InboxMessage, { consumer: CONSUMER });

describe('an idle subscription that lingers for company', () => {
  it('handles a trickle of messages in one transaction, the first held about the linger', async () => {
    const { send, transactions, doneAt } = lingering({ ms: 1_500, upTo: 16 });
    await trickle(send);
    expect(transactions.size).toBe(1);
    expect(doneAt[0]).toBeGreaterThanOrEqual(1_490);
    expect(await tallies()).toEqual([0, 1, 2, 3, 4]);
    expect(await inboxRows()).toBe(5);
  });

  it('without a linger, handles the same trickle one transaction a message', async () => {
    const { send, transactions } = lingering(undefined);
    await trickle(send);
    expect(transactions.size).toBe(5);
    expect(await tallies()).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops holding once as many wait as the consumer hands out at once', async () => {
    const { send, transactions, doneAt } = lingering({ ms: 10_000, upTo: 4 });
    await Promise.all([0, 1, 2, 3].map(send));
    expect(transactions.size).toBe(1);
    expect(Math.max(...doneAt)).toBeLessThan(5_000);
    expect(await inboxRows()).toBe(4);
  });
});
