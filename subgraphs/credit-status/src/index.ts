import { runService } from '@commerce-supergraph/shared/process';
import { createCreditStatusSubgraph } from './app.js';
import { readCreditStatusConfig } from './config.js';

await runService('credit-status', () => createCreditStatusSubgraph(readCreditStatusConfig()));
