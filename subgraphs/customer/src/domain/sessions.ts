import type { SessionsRevoked } from '@commerce-supergraph/shared/auth/revocations';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer } from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/contracts/published.js';
import { BUSY } from './password-hashing.js';
import { type AccountGuards, authenticate } from './registration.js';
import { validatePassword } from './validation.js';

/**
 * Records, in the unit of work of the change that causes it, that every token of the customer issued
 * before `at` is void. The event reaches every service's revocation list (revocation-feed.ts);
 * tokens issued at `at` or later (the one changePassword hands back) stay valid.
 */
export function revokeSessions(tx: EntityManager, customerId: string, at: Date, cause: Cause): SessionsRevoked {
  const revocation = { customerId, revokedBefore: at.toISOString() };
  recordCustomerEvent(tx, cause, CustomerSubjects.sessionsRevoked, revocation);
  return revocation;
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

export interface PasswordChanged {
  customer: Customer;
  revocation: SessionsRevoked;
}

const notFound = () => userError(undefined, 'NOT_FOUND', 'This account no longer exists');
const busy = () => userError(undefined, 'TOO_MANY_REQUESTS', 'The service is busy; try again in a moment');

/**
 * Changes the password when the current one is right (checked, and throttled, exactly as a login)
 * and the new one follows the registration rules; every token issued before is revoked at `now`.
 */
export async function changePassword(
  em: EntityManager,
  guards: AccountGuards,
  customerId: string,
  change: PasswordChange,
  clientAddress: string,
  cause: Cause,
  now: Date,
): Promise<Result<PasswordChanged>> {
  const errors = validatePassword(change.newPassword, ['newPassword']);
  if (errors.length > 0) return refused(errors);
  const customer = await em.findOne(Customer, { id: customerId });
  if (!customer) return refused([notFound()]);
  const login = await authenticate(
    em,
    guards,
    { email: customer.email, password: change.currentPassword },
    clientAddress,
  );
  if (!login.ok) {
    // The same answers as a login, at the field they are about.
    return refused(login.errors.map((error) => userError(['currentPassword'], error.code, error.message)));
  }
  return setPassword(em, guards, customerId, change.newPassword, cause, now);
}

/** Stores a new password hash and revokes every earlier token, in one commit. */
export async function setPassword(
  em: EntityManager,
  guards: AccountGuards,
  customerId: string,
  password: string,
  cause: Cause,
  now: Date,
): Promise<Result<PasswordChanged>> {
  const passwordHash = await guards.passwords.hash(password);
  if (passwordHash === BUSY) return refused([busy()]);
  return unitOfWork(em, async (tx) => {
    const customer = await tx.findOne(Customer, { id: customerId });
    if (!customer) return refused([notFound()]);
    customer.passwordHash = passwordHash;
    const revocation = revokeSessions(tx, customerId, now, cause);
    return succeeded({ customer, revocation });
  });
}

/** Revokes every token of the customer issued before `now`, the caller's own included. */
export async function signOutEverywhere(
  em: EntityManager,
  customerId: string,
  cause: Cause,
  now: Date,
): Promise<Result<SessionsRevoked>> {
  return unitOfWork(em, async (tx) => {
    if (!(await tx.count(Customer, { id: customerId }))) return refused([notFound()]);
    return succeeded(revokeSessions(tx, customerId, now, cause));
  });
}
