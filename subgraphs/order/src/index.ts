import { runService } from '@commerce-supergraph/shared/process';
import { SUBGRAPH_WORKERS } from '@commerce-supergraph/shared/workers';
import { createOrderSubgraph } from './app.js';
import { readOrderConfig } from './config.js';

await runService('order', () => createOrderSubgraph(readOrderConfig()), SUBGRAPH_WORKERS);
