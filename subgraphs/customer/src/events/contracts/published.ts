import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { eventRecorder } from '@commerce-supergraph/shared/events/outbox';

/** The customer subgraph publishes to, and owns, this stream. */
export const CUSTOMER_STREAM: StreamSpec = { name: 'CUSTOMERS', subjects: ['customers.>'] };

export const SOURCE = 'customer';

/**
 * What this subgraph publishes. The contract is the JSON shape, versioned in the subject
 * (docs/architecture.md, Events); consumers keep their own copy.
 */
export const CustomerSubjects = {
  registered: 'customers.customer.registered.v1',
  updated: 'customers.customer.updated.v1',
  financialProfileSet: 'customers.customer.financial-profile-set.v1',
} as const;

export interface CustomerRegistered {
  customerId: string;
  email: string;
  name: string;
}

/** Only what changed: `changedFields` names them, and each carries its new value (null when cleared). */
export interface CustomerUpdated {
  customerId: string;
  changedFields: string[];
  name?: string;
  phone?: string | null;
  address?: string | null;
  dateOfBirth?: string | null;
}

/** Amounts are decimal strings with two places, as stored ("60000.00"), never floats. */
export interface FinancialProfileSet {
  customerId: string;
  annualIncome: string;
  monthlyDebts: string;
  totalAssets: string;
  employmentStatus: 'EMPLOYED' | 'SELF_EMPLOYED' | 'UNEMPLOYED' | 'RETIRED' | 'STUDENT';
}

/** Each subject this subgraph publishes, with the shape of its data. */
export interface CustomerPayloads {
  [CustomerSubjects.registered]: CustomerRegistered;
  [CustomerSubjects.updated]: CustomerUpdated;
  [CustomerSubjects.financialProfileSet]: FinancialProfileSet;
}

/** Adds a customer event to the outbox of the unit of work, next to the change it reports. */
export const recordCustomerEvent = eventRecorder<CustomerPayloads>(SOURCE);
