import { eventEntities } from '@commerce-supergraph/shared/events/tables';
import { Customer } from './customer.js';
import { CustomerEvent } from './customer-event.js';
import { FinancialProfile } from './financial-profile.js';
import { Notification } from './notification.js';
import { PasswordReset } from './password-reset.js';
import { ThrottleAttempt } from './throttle-attempt.js';

export { CustomerEventType } from './customer-event.js';
export { EmploymentStatus } from './financial-profile.js';
export { Customer, CustomerEvent, FinancialProfile, Notification, PasswordReset, ThrottleAttempt };

/** The outbox and inbox tables live in this database too: events commit with the changes they report. */
export const entities = [
  Customer,
  CustomerEvent,
  FinancialProfile,
  Notification,
  PasswordReset,
  ThrottleAttempt,
  ...eventEntities,
];
