import { availableParallelism } from 'node:os';
import { runService } from '@commerce-supergraph/shared/process';
import { createGateway } from './app.js';
import { readGatewayConfig } from './config.js';

// The gateway keeps no state of its own between requests: one worker per core by default.
await runService('gateway', () => createGateway(readGatewayConfig()), {
  variable: 'GATEWAY_WORKERS',
  default: availableParallelism(),
});
