import { eventEntities } from '@commerce-supergraph/shared/events/tables';
import { CreditScoreChange } from './credit-score-change.js';
import { CreditStatus } from './credit-status.js';
import { DeletedCustomer } from './deleted-customer.js';

export { CreditScoreChange, CreditStatus, DeletedCustomer };

/** The outbox and inbox tables live in this database too: events commit with the changes they report. */
export const entities = [CreditStatus, CreditScoreChange, DeletedCustomer, ...eventEntities];
