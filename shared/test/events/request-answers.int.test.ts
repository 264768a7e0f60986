import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answerRequestsWithoutErrors } from '../../src/events/jetstream/request-answers.js';

/** nats-core's own errors module: the one its requests build their RequestError from. */
const require = createRequire(import.meta.url);
const natsErrors = require(join(dirname(require.resolve('@nats-io/nats-core')), 'errors.js')) as {
  RequestError: new (message?: string, options?: ErrorOptions) => Error;
};

/** How many RequestErrors nats-core builds while `work` runs. */
async function requestErrorsBuilt(work: () => Promise<unknown>): Promise<number> {
  const Original = natsErrors.RequestError;
  let built = 0;
  natsErrors.RequestError = class extends Original {
    constructor(message?: string, options?: ErrorOptions) {
      super(message, options);
      built += 1;
    }
  };
  try {
    await work();
  } finally {
    natsErrors.RequestError = Original;
  }
  return built;
}

let nc: NatsConnection;
let responder: NatsConnection;
const subject = uniqueName('request-answers');
const stream = uniqueName('REQUEST_ANSWERS');

beforeAll(async () => {
  // As the services connect (NatsLink): no error built ahead of each request.
  nc = await connect({ servers: TEST_NATS_URL, noAsyncTraces: true });
  responder = await connect({ servers: TEST_NATS_URL });
  responder.subscribe(subject, {
    callback: (_err, msg) => {
      msg.respond(`echo ${msg.string()}`);
    },
  });
  await responder.flush();
  await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${stream}.>`] });
});

afterAll(async () => {
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await Promise.all([nc.close(), responder.close()]);
});

it('nats.js builds a RequestError for every answered request, and no longer once it is taken over', async () => {
  // Without the change, each answer builds one to throw away (this is what the change removes).
  expect(await requestErrorsBuilt(() => nc.request(subject, 'a'))).toBe(1);
  expect(answerRequestsWithoutErrors()).toBe(true);
  expect(answerRequestsWithoutErrors()).toBe(true); // a second call changes nothing
  let answer = '';
  const built = await requestErrorsBuilt(async () => {
    answer = (await nc.request(subject, 'b')).string();
  });
  expect(answer).toBe('echo b');
  expect(built).toBe(0);
});

it('a JetStream publish is acknowledged, and a repeated one reported as a duplicate, with no error built', async () => {
  answerRequestsWithoutErrors();
  const js = jetstream(nc);
  const acks: { seq: number; duplicate: boolean }[] = [];
  const built = await requestErrorsBuilt(async () => {
    acks.push(await js.publish(`${stream}.x`, 'one', { msgID: 'one' }));
    acks.push(await js.publish(`${stream}.x`, 'one', { msgID: 'one' }));
    acks.push(await js.publish(`${stream}.x`, 'two', { msgID: 'two' }));
  });
  expect(acks.map(({ seq, duplicate }) => ({ seq, duplicate }))).toEqual([
    { seq: 1, duplicate: false },
    { seq: 1, duplicate: true },
    { seq: 2, duplicate: false },
  ]);
  expect(built).toBe(0);
});

it('a request nobody answers and one that times out still fail as before, and leave nothing waiting', async () => {
  answerRequestsWithoutErrors();
  await expect(nc.request(uniqueName('nobody'), 'x', { timeout: 1_000 })).rejects.toThrow(/no responders/i);
  const silent = uniqueName('silent');
  const sub = responder.subscribe(silent, { callback: () => undefined });
  await responder.flush();
  await expect(nc.request(silent, 'x', { timeout: 100 })).rejects.toThrow(/timeout/i);
  sub.unsubscribe();
  // An answered request is taken off the connection's list of waiting ones and its timer stopped, as
  // nats.js's cancel() does.
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  await nc.request(subject, 'c', { timeout: 60_000 });
  expect(timers()).toBe(before);
  const mux = (nc as unknown as { protocol: { muxSubscriptions: { size(): number } } }).protocol.muxSubscriptions;
  expect(mux.size()).toBe(0);
});
