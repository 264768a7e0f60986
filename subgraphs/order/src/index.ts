import { runService } from '@commerce-supergraph/shared/process';
import { createOrderSubgraph } from './app.js';
import { readOrderConfig } from './config.js';

await runService('order', () => createOrderSubgraph(readOrderConfig()));
