import { eventEntities } from '@commerce-supergraph/shared/events/tables';
import { Customer } from './customer.js';
import { CustomerEvent } from './customer-event.js';
import { FinancialProfile } from './financial-profile.js';
import { LoginFailure } from './login-failure.js';
import { Notification } from './notification.js';

export { CustomerEventType } from './customer-event.js';
export { EmploymentStatus } from './financial-profile.js';
export { Customer, CustomerEvent, FinancialProfile, LoginFailure, Notification };

/** The outbox and inbox tables live in this database too: events commit with the changes they report. */
export const entities = [Customer, CustomerEvent, FinancialProfile, LoginFailure, Notification, ...eventEntities];
