import { runService } from '@commerce-supergraph/shared/process';
import { SUBGRAPH_WORKERS } from '@commerce-supergraph/shared/workers';
import { createCustomerSubgraph } from './app.js';
import { readCustomerConfig } from './config.js';

await runService('customer', () => createCustomerSubgraph(readCustomerConfig()), SUBGRAPH_WORKERS);
