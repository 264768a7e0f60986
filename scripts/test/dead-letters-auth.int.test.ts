import { ConfigError } from '@commerce-supergraph/shared/config';
import type { DeadLetter } from '@commerce-supergraph/shared/events/bus';
import { createEnvelope } from '@commerce-supergraph/shared/events/envelope';
import { DeadLetterStore } from '@commerce-supergraph/shared/events/jetstream/dead-letters';
import { natsConnectOptions } from '@commerce-supergraph/shared/events/jetstream/nats-auth';
import { DEAD_LETTERS, ensureStream } from '@commerce-supergraph/shared/events/jetstream/streams';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { publishRaw, streamEvents } from '@commerce-supergraph/test-support/jetstream';
import {
  type AuthorizedNatsServer,
  startAuthorizedNatsServer,
} from '@commerce-supergraph/test-support/nats-authorization';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsSettings, parseCommand, runCommand } from '../lib/dead-letters.ts';

// `npm run dead-letters` against NATS with the committed per-service users (a private server).
const SUBJECT = 'inventory.reservation.reserved.v1';
let nats: AuthorizedNatsServer;
let url: string;

const envOf = (auth: NatsAuth) => ({ NATS_URL: url, NATS_USER: auth.user ?? '', NATS_PASSWORD: auth.password ?? '' });

beforeAll(async () => {
  nats = await startAuthorizedNatsServer();
  url = nats.server.url;
  // The product subgraph owns INVENTORY; the order subgraph dead-letters what it consumes from it.
  const product = nats.credentials.product;
  const nc = await connect({ ...natsConnectOptions(url, product), servers: url });
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: 'INVENTORY', subjects: ['inventory.>'] });
  await ensureStream(jsm, { name: DEAD_LETTERS.stream, subjects: [`${DEAD_LETTERS.subjectPrefix}.>`] });
  await nc.close();
});
afterAll(() => nats?.server.dispose());

async function keepLetter(): Promise<DeadLetter> {
  const event = createEnvelope({
    subject: SUBJECT,
    data: { orderId: '0196a3c2-8f1e-7b4d-9a2c-3d4e5f6a7b8c', lines: [] },
    source: 'product',
    correlationId: 'req-auth',
  });
  const letter: DeadLetter = {
    consumer: 'order__inventory_reservation_reserved_v1',
    subject: SUBJECT,
    eventId: event.id,
    deliveryCount: 5,
    error: 'failed',
    failedAt: new Date().toISOString(),
    envelope: event,
    raw: null,
  };
  await publishRaw(url, `deadletter.order.${SUBJECT}`, JSON.stringify(letter), nats.credentials.order);
  return letter;
}

async function run(env: Record<string, string>, ...args: string[]) {
  const { url: server, auth } = natsSettings(env);
  const store = await DeadLetterStore.connect(server, undefined, auth);
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCommand(parseCommand(args), store, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  } finally {
    await store.close();
  }
}

describe('npm run dead-letters with NATS credentials', () => {
  it('lists and shows as any service, and replays only as the service that publishes the subject', async () => {
    const letter = await keepLetter();
    const asOrder = envOf(nats.credentials.order);
    const listed = await run(asOrder, 'list');
    expect(listed.code).toBe(0);
    expect(listed.out.join('\n')).toContain(letter.eventId as string);
    const id = listed.out.find((line) => line.includes(letter.eventId as string))?.split(/\s+/)[0] as string;

    const refused = await run(asOrder, 'replay', id);
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual([
      `dead letter ${id} not replayed: Permissions Violation for Publish to "${SUBJECT}"`,
      `  this NATS user may not publish ${SUBJECT}: replay it with the credentials of the service that publishes it ` +
        `(under docker compose, from that service's container)`,
    ]);

    const replayed = await run(envOf(nats.credentials.product), 'replay', id);
    expect(replayed.code).toBe(0);
    expect((await streamEvents(url, 'INVENTORY', nats.credentials.product)).map((e) => e.id)).toContain(letter.eventId);
    expect((await run(asOrder, 'list')).out.join('\n')).not.toContain(letter.eventId as string);
  });

  it('cannot connect without credentials or with a wrong password', async () => {
    await expect(run({ NATS_URL: url }, 'list')).rejects.toThrow(/authorization violation/i);
    await expect(run({ NATS_URL: url, NATS_USER: 'order', NATS_PASSWORD: 'not-the-password' }, 'list')).rejects.toThrow(
      /authorization violation/i,
    );
  });

  it('reads the settings as the services do, refusing to run without credentials in production', () => {
    expect(natsSettings({ NATS_URL: 'tls://nats:4222', NATS_TOKEN: 't' })).toEqual({
      url: 'tls://nats:4222',
      auth: { token: 't' },
    });
    expect(() => natsSettings({ NODE_ENV: 'production', NATS_URL: url })).toThrow(ConfigError);
  });
});
