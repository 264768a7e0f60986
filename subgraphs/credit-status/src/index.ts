import { runService } from '@commerce-supergraph/shared/process';
import { SUBGRAPH_WORKERS } from '@commerce-supergraph/shared/workers';
import { createCreditStatusSubgraph } from './app.js';
import { readCreditStatusConfig } from './config.js';

await runService('credit-status', () => createCreditStatusSubgraph(readCreditStatusConfig()), SUBGRAPH_WORKERS);
