import { InboxMessage } from '@commerce-supergraph/shared/events/inbox';
import { OutboxMessage } from '@commerce-supergraph/shared/events/outbox';
import { ConsumerPosition } from '@commerce-supergraph/shared/events/positions';
import { CreditScoreChange } from './credit-score-change.js';
import { CreditStatus } from './credit-status.js';

export { CreditScoreChange, CreditStatus };

/** The outbox and inbox tables live in this database too: events commit with the changes they report. */
export const entities = [CreditStatus, CreditScoreChange, OutboxMessage, InboxMessage, ConsumerPosition];
