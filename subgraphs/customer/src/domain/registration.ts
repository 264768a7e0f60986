import { dummyPasswordHash } from '@commerce-supergraph/shared/auth/password';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Customer, CustomerEvent, CustomerEventType } from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/contracts/published.js';
import type { NationalIdCipher } from './national-id.js';
import { BUSY, type PasswordHashing } from './password-hashing.js';
import type { Throttle } from './throttle.js';
import { normaliseEmail, type RegistrationFields, validateRegistration } from './validation.js';

export interface Registration extends RegistrationFields {
  nationalId?: string | null;
}

/** What guards registration and login against abuse, and seals what they store. */
export interface AccountGuards {
  throttle: Throttle;
  passwords: PasswordHashing;
  nationalIds: NationalIdCipher;
}

const taken = () => userError(['input', 'email'], 'TAKEN', 'An account with this email already exists');
const tooManyLogins = () => userError(['input'], 'TOO_MANY_ATTEMPTS', 'Too many failed attempts; try again later');
const tooManyRegistrations = () =>
  userError(['input'], 'TOO_MANY_ATTEMPTS', 'Too many registrations from this address; try again later');
const busy = () => userError(['input'], 'TOO_MANY_REQUESTS', 'The service is busy; try again in a moment');

/**
 * Creates an account with its history entry and registered event; a used email is TAKEN. Past
 * validation, each registration takes a slot of its client's limit (TOO_MANY_ATTEMPTS beyond it) and
 * then a password hashing slot (TOO_MANY_REQUESTS when none comes free in time; the client's slot is
 * given back then). The national id is stored sealed.
 */
export async function register(
  em: EntityManager,
  guards: AccountGuards,
  input: Registration,
  clientAddress: string,
  cause: Cause,
): Promise<Result<Customer>> {
  const errors = validateRegistration(input);
  if (errors.length > 0) return refused(errors);
  const email = normaliseEmail(input.email);
  const reservation = await guards.throttle.reserveRegistration(em, clientAddress);
  if (!reservation) return refused([tooManyRegistrations()]);
  const passwordHash = await guards.passwords.hash(input.password);
  if (passwordHash === BUSY) {
    await guards.throttle.release(em, reservation);
    return refused([busy()]);
  }
  try {
    const customer = await unitOfWork(em, async (tx) => {
      if (await tx.count(Customer, { email })) return undefined;
      const created = tx.create(Customer, {
        name: input.name.trim(),
        email,
        passwordHash,
        phone: input.phone ?? null,
        address: input.address ?? null,
        dateOfBirth: input.dateOfBirth ?? null,
      });
      // Sealed with the customer's id, which the entity has before it is flushed.
      if (input.nationalId) created.nationalId = guards.nationalIds.seal(created.id, input.nationalId);
      tx.create(CustomerEvent, { customerId: created.id, type: CustomerEventType.REGISTERED, changedFields: [] });
      recordCustomerEvent(tx, cause, CustomerSubjects.registered, { customerId: created.id });
      return created;
    });
    return customer ? succeeded(customer) : refused([taken()]);
  } catch (error) {
    // Two registrations racing past the count: the unique index decides, the loser gets TAKEN.
    if (error instanceof UniqueConstraintViolationException) return refused([taken()]);
    throw error;
  }
}

export interface Credentials {
  email: string;
  password: string;
}

/**
 * The account these credentials open. Each login first reserves an attempt for its email and its
 * client (domain/throttle.ts): at the limit it is refused before the password is looked at. A wrong
 * email and a wrong password get the same answer, in the same time; the reserved attempt then stays
 * as a failure. A success clears the email's failures.
 */
export async function authenticate(
  em: EntityManager,
  guards: AccountGuards,
  credentials: Credentials,
  clientAddress: string,
): Promise<Result<Customer>> {
  const email = normaliseEmail(credentials.email);
  const reservation = await guards.throttle.reserveLogin(em, email, clientAddress);
  if (!reservation) return refused([tooManyLogins()]);
  const customer = await em.findOne(Customer, { email }, { populate: ['passwordHash'] });
  // Verify against a dummy hash when there is no account, so timing does not reveal which emails exist.
  const hash = customer?.passwordHash ?? (await dummyPasswordHash());
  const valid = await guards.passwords.verify(credentials.password, hash);
  if (valid === BUSY) {
    await guards.throttle.release(em, reservation);
    return refused([busy()]);
  }
  if (!customer || !valid) {
    return refused([userError(['input'], 'INVALID_CREDENTIALS', 'Email or password is incorrect')]);
  }
  await guards.throttle.loginSucceeded(em, email, reservation);
  return succeeded(customer);
}
