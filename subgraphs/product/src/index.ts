import { runService } from '@commerce-supergraph/shared/process';
import { createProductSubgraph } from './app.js';
import { readProductConfig } from './config.js';

await runService('product', () => createProductSubgraph(readProductConfig()));
