import { Customer } from './customer.js';
import { CustomerEvent } from './customer-event.js';
import { FinancialProfile } from './financial-profile.js';
import { LoginFailure } from './login-failure.js';

export { CustomerEventType } from './customer-event.js';
export { EmploymentStatus } from './financial-profile.js';
export { Customer, CustomerEvent, FinancialProfile, LoginFailure };

export const entities = [Customer, CustomerEvent, FinancialProfile, LoginFailure];
