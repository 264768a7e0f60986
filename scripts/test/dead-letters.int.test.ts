import type { DeadLetter } from '@commerce-supergraph/shared/events/bus';
import { createEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import {
  deleteStreams,
  openStandInPublisher,
  publishRaw,
  streamEvents,
} from '@commerce-supergraph/test-support/jetstream';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand, runCommand } from '../lib/dead-letters.ts';

// Streams of this file's own on the machine's NATS: an original stream and its dead letters.
const domain = uniqueName('dlcli');
const STREAM = domain.toUpperCase();
const target = { stream: `${STREAM}_DL`, subjectPrefix: `${domain}_dl` };
const subject = `${domain}.order.placed.v1`;
let store: DeadLetterStore;

beforeAll(async () => {
  const streams = await openStandInPublisher(TEST_NATS_URL, 'test', [
    { name: STREAM, subjects: [`${domain}.>`] },
    { name: target.stream, subjects: [`${target.subjectPrefix}.>`] },
  ]);
  await streams.close();
  store = await DeadLetterStore.connect(TEST_NATS_URL, target);
});
afterAll(async () => {
  await store?.close();
  await deleteStreams(TEST_NATS_URL, [STREAM, target.stream]);
});

/** Keeps a dead letter as a consumer that gave up would. */
async function keep(consumer: string, key: string, envelope = true): Promise<DeadLetter> {
  const event = createEnvelope({ subject, data: { key }, source: 'test', correlationId: `req-${key}` });
  const letter: DeadLetter = {
    consumer,
    subject,
    eventId: envelope ? event.id : null,
    deliveryCount: 5,
    error: `failed on ${key}`,
    failedAt: new Date().toISOString(),
    envelope: envelope ? event : null,
    raw: envelope ? null : '{"broken"',
  };
  await publishRaw(TEST_NATS_URL, `${target.subjectPrefix}.${consumer}.${subject}`, JSON.stringify(letter));
  return letter;
}

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(parseCommand(args), store, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const ids = async () => (await store.list()).map((letter) => letter.seq);

describe('npm run dead-letters, against NATS', () => {
  it('lists, shows, replays (to the original subject, same envelope) and discards', async () => {
    expect(await run('list')).toEqual({ code: 0, out: [`no dead letters in ${target.stream}`], err: [] });
    const billing = await keep('billing', 'a');
    const shipping = await keep('shipping', 'b');
    const garbled = await keep('billing', 'c', false);
    const [first, second, third] = await ids();

    const listed = await run('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toHaveLength(4);
    expect(listed.out[1]).toMatch(new RegExp(`^${first} .* billing +${subject} +${billing.eventId} +5 +failed on a$`));
    expect(listed.out[3]).toContain('(not an envelope)');

    const shown = await run('show', String(second));
    expect(shown.out).toContain(`event id:    ${shipping.eventId}`);
    expect(shown.out.at(-1)).toBe(`replay it once its cause is fixed: npm run dead-letters -- replay ${second}`);

    const replayed = await run('replay', String(first));
    expect(replayed.code).toBe(0);
    expect(replayed.out[0]).toMatch(
      new RegExp(
        `^replayed ${first}: event ${billing.eventId} to ${subject} for billing \\(stored as ${STREAM} #\\d+\\)$`,
      ),
    );
    const copies = await streamEvents(TEST_NATS_URL, STREAM);
    expect(copies).toEqual([{ ...billing.envelope, msgId: `${billing.eventId}:replay:${first}` }]);
    expect(await ids()).toEqual([second, third]);
    expect(await run('replay', String(first))).toEqual({
      code: 1,
      out: [],
      err: [`no dead letter ${first} in ${target.stream} (replayed or discarded already?)`],
    });

    // --all replays what it can and says what it cannot: the garbled one stays for a discard.
    const all = await run('replay', '--all');
    expect(all.code).toBe(1);
    expect(all.out).toHaveLength(1);
    expect(all.err).toEqual([
      `dead letter ${third} is not an event envelope, so there is nothing to replay: discard it`,
    ]);
    expect(await ids()).toEqual([third]);
    expect(garbled.raw).toBe('{"broken"');

    expect(await run('discard', String(third))).toMatchObject({
      code: 0,
      out: [`discarded ${third}: ${subject} event (none) of billing`],
    });
    await keep('billing', 'd');
    await keep('billing', 'e');
    expect((await run('discard', '--all')).out).toHaveLength(2);
    expect(await run('list')).toMatchObject({ out: [`no dead letters in ${target.stream}`] });
    expect((await streamEvents(TEST_NATS_URL, STREAM)).map((e) => e.id)).toEqual([billing.eventId, shipping.eventId]);
  });
});
