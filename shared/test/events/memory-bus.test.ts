import { InMemoryEventBus } from '@commerce-supergraph/test-support/memory-bus';
import { describeEventBusContract } from './contract.js';

describeEventBusContract('in-memory', async ({ service, retry }) => {
  const bus = new InMemoryEventBus({ service, retry });
  return {
    bus,
    subject: (entity, verb) => `contract.${entity}.${verb}.v1`,
    deadLetters: async () => [...bus.deadLetters],
    dispose: () => bus.close(),
  };
});
