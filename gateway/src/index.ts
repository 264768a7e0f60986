import { runService } from '@commerce-supergraph/shared/process';
import { createGateway } from './app.js';
import { readGatewayConfig } from './config.js';

await runService('gateway', () => createGateway(readGatewayConfig()));
