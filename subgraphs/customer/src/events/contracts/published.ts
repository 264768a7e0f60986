import type { RequestContext } from '@commerce-supergraph/shared/auth/context';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { recordEvent } from '@commerce-supergraph/shared/events/outbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EmploymentStatus } from '../entities/index.js';

/** The customer subgraph publishes to, and owns, this stream. */
export const CUSTOMER_STREAM: StreamSpec = { name: 'CUSTOMERS', subjects: ['customers.>'] };

export const SOURCE = 'customer';

/** The contract is the JSON shape, versioned in the subject; consumers keep their own copy of it. */
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
  employmentStatus: EmploymentStatus;
}

interface Payloads {
  [CustomerSubjects.registered]: CustomerRegistered;
  [CustomerSubjects.updated]: CustomerUpdated;
  [CustomerSubjects.financialProfileSet]: FinancialProfileSet;
}

/** Why the event happened: a request (its id correlates everything it causes) or start-up. */
export type Cause = Pick<RequestContext, 'requestId'>;

/** Adds a customer event to the outbox of `em`'s transaction; call inside `em.transactional`. */
export function recordCustomerEvent<S extends keyof Payloads>(
  em: EntityManager,
  cause: Cause,
  subject: S,
  data: Payloads[S],
): EventEnvelope<Payloads[S]> {
  return recordEvent(em, { subject, data, source: SOURCE, correlationId: cause.requestId });
}

/** "1.5" -> "1.50": the event carries what the numeric(14,2) column stores (input is validated). */
export function twoPlaces(amount: string): string {
  const [whole = '0', fraction = ''] = amount.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}
