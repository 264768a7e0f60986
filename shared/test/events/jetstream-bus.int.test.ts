import { deleteStreams } from '@commerce-supergraph/test-support/jetstream';
import { uniqueName } from '@commerce-supergraph/test-support/names';
import { TEST_NATS_URL } from '@commerce-supergraph/test-support/nats-server';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { JetStreamEventBus } from '../../src/events/jetstream/bus.js';
import { listDeadLetters } from '../../src/events/jetstream/streams.js';
import { describeEventBusContract } from './contract.js';

// The machine's NATS, with a stream, subject domain and dead-letter stream of this test's own.
describeEventBusContract('JetStream', async ({ service, retry }) => {
  const domain = uniqueName('contract');
  const stream = domain.toUpperCase();
  const deadLetters = { stream: `${stream}_DL`, subjectPrefix: `${domain}_dl` };
  const bus = new JetStreamEventBus({
    url: TEST_NATS_URL,
    service,
    log: pino({ level: 'silent' }),
    streams: [{ name: stream, subjects: [`${domain}.>`] }],
    deadLetters,
    retry,
  });
  bus.start();
  await bus.whenConnected();
  return {
    bus,
    subject: (entity, verb) => `${domain}.${entity}.${verb}.v1`,
    async deadLetters() {
      const nc = await connect({ servers: TEST_NATS_URL });
      try {
        return await listDeadLetters(await jetstreamManager(nc), deadLetters.stream);
      } finally {
        await nc.close();
      }
    },
    async dispose() {
      await bus.close();
      await deleteStreams(TEST_NATS_URL, [stream, deadLetters.stream]);
    },
  };
});
