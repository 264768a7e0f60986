import { runService } from '@commerce-supergraph/shared/process';
import { createCustomerSubgraph } from './app.js';
import { readCustomerConfig } from './config.js';

await runService('customer', () => createCustomerSubgraph(readCustomerConfig()));
