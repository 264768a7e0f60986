import { SESSIONS_REVOKED_SUBJECT, type SessionsRevoked } from '@commerce-supergraph/shared/auth/revocations';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { eventRecorder } from '@commerce-supergraph/shared/events/outbox';
import type { EntityManager } from '@mikro-orm/core';

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
  /** Every token of the customer issued before `revokedBefore` is void: read by every service and the gateway. */
  sessionsRevoked: SESSIONS_REVOKED_SUBJECT,
  /** The account is gone: every service erases what it holds of the customer. */
  deleted: 'customers.customer.deleted.v1',
} as const;

export type { SessionsRevoked };

/*
 * Payloads carry the ids and nothing of the customer's personal data: the one consumer today, the
 * credit-status subgraph, reads only `customerId` of the registered event, and nothing consumes the
 * other two. A consumer that needs more asks the graph for it (with the caller's rights) instead of
 * keeping a copy; a field is added here, and to PUBLISHED_FIELDS, only when a consumer reads it.
 */

export interface CustomerRegistered {
  customerId: string;
}

/** Which fields changed, by name (e.g. `["name", "phone"]`): never their values. */
export interface CustomerUpdated {
  customerId: string;
  changedFields: string[];
}

/** That the profile was set or replaced: the amounts stay in this subgraph. */
export interface FinancialProfileSet {
  customerId: string;
}

/** The account was deleted at `deletedAt` (ISO UTC); its sessions were revoked in the same commit. */
export interface CustomerDeleted {
  customerId: string;
  deletedAt: string;
}

/** Each subject this subgraph publishes, with the shape of its data. */
export interface CustomerPayloads {
  [CustomerSubjects.registered]: CustomerRegistered;
  [CustomerSubjects.updated]: CustomerUpdated;
  [CustomerSubjects.financialProfileSet]: FinancialProfileSet;
  [CustomerSubjects.sessionsRevoked]: SessionsRevoked;
  [CustomerSubjects.deleted]: CustomerDeleted;
}

/** The allow-list the outbox applies: whatever else a caller passes (say, an email) is not published. */
const PUBLISHED_FIELDS: { [S in keyof CustomerPayloads]: (keyof CustomerPayloads[S])[] } = {
  [CustomerSubjects.registered]: ['customerId'],
  [CustomerSubjects.updated]: ['customerId', 'changedFields'],
  [CustomerSubjects.financialProfileSet]: ['customerId'],
  [CustomerSubjects.sessionsRevoked]: ['customerId', 'revokedBefore'],
  [CustomerSubjects.deleted]: ['customerId', 'deletedAt'],
};

const record = eventRecorder<CustomerPayloads>(SOURCE);

/**
 * Adds an event to the outbox of the unit of work, next to the change it reports, with only the
 * fields of its contract.
 */
export function recordCustomerEvent<S extends keyof CustomerPayloads, D extends CustomerPayloads[S]>(
  em: EntityManager,
  cause: Cause,
  subject: S,
  data: D,
): EventEnvelope<CustomerPayloads[S]> {
  const fields = PUBLISHED_FIELDS[subject] as string[];
  const published = Object.fromEntries(Object.entries(data).filter(([field]) => fields.includes(field)));
  return record(em, cause, subject, published as CustomerPayloads[S]);
}
