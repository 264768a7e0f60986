import { runService } from '@commerce-supergraph/shared/process';
import { SUBGRAPH_WORKERS } from '@commerce-supergraph/shared/workers';
import { createProductSubgraph } from './app.js';
import { readProductConfig } from './config.js';

await runService('product', () => createProductSubgraph(readProductConfig()), SUBGRAPH_WORKERS);
