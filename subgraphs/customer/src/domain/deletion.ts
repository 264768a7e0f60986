import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Customer,
  CustomerEvent,
  CustomerEventType,
  FinancialProfile,
  Notification,
  PasswordReset,
  ThrottleAttempt,
} from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/contracts/published.js';
import { type AccountGuards, authenticate } from './registration.js';
import { revokeSessions } from './sessions.js';
import { emailKey } from './throttle.js';

export interface Deletion {
  customerId: string;
  deletedAt: Date;
}

const notFound = () => userError(['id'], 'NOT_FOUND', 'No customer with this id');
const adminKept = () =>
  userError(['id'], 'INVALID_STATE', 'An admin account cannot be deleted; take the admin role away first');

/**
 * Erases a customer: the account row (name, email, phone, address, date of birth, national id, the
 * password hash), the financial profile, notifications, reset tokens and the login attempts counted
 * for the email go; the history keeps only REGISTERED and a new DELETED entry. In the same commit
 * every token is revoked and `customers.customer.deleted.v1` tells the other services to erase
 * theirs. Deleting an account that was deleted before succeeds again and changes nothing.
 */
export async function deleteCustomer(
  em: EntityManager,
  customerId: string,
  cause: Cause,
  now: Date,
): Promise<Result<Deletion>> {
  if (!isUuid(customerId)) return refused([notFound()]);
  return unitOfWork(em, async (tx) => {
    // The row lock orders racing deletions (and a password change): the second finds no row.
    const customer = await tx.findOne(Customer, { id: customerId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!customer) {
      const earlier = await tx.findOne(CustomerEvent, { customerId, type: CustomerEventType.DELETED });
      return earlier ? succeeded({ customerId, deletedAt: earlier.occurredAt }) : refused([notFound()]);
    }
    if (customer.roles.includes('admin')) return refused([adminKept()]);
    await tx.nativeDelete(FinancialProfile, { customerId });
    await tx.nativeDelete(Notification, { customerId });
    await tx.nativeDelete(PasswordReset, { customerId });
    await tx.nativeDelete(ThrottleAttempt, { key: emailKey(customer.email) });
    await tx.nativeDelete(CustomerEvent, { customerId, type: { $ne: CustomerEventType.REGISTERED } });
    tx.create(CustomerEvent, { customerId, type: CustomerEventType.DELETED, changedFields: [], occurredAt: now });
    tx.remove(customer);
    revokeSessions(tx, customerId, now, cause);
    recordCustomerEvent(tx, cause, CustomerSubjects.deleted, { customerId, deletedAt: now.toISOString() });
    return succeeded({ customerId, deletedAt: now });
  });
}

/** The customer deletes their own account, confirming with their password (checked as a login is). */
export async function deleteOwnAccount(
  em: EntityManager,
  guards: AccountGuards,
  customerId: string,
  password: string,
  clientAddress: string,
  cause: Cause,
  now: Date,
): Promise<Result<Deletion>> {
  const customer = await em.findOne(Customer, { id: customerId });
  if (!customer) return refused([notFound()]);
  const login = await authenticate(em, guards, { email: customer.email, password }, clientAddress);
  if (!login.ok) return refused(login.errors.map((error) => userError(['password'], error.code, error.message)));
  return deleteCustomer(em, customerId, cause, now);
}
