import { dummyPasswordHash, hashPassword, verifyPassword } from '@commerce-supergraph/shared/auth/password';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Customer, CustomerEvent, CustomerEventType } from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/contracts/published.js';
import type { LoginThrottle } from './login-throttle.js';
import { normaliseEmail, type RegistrationFields, validateRegistration } from './validation.js';

export interface Registration extends RegistrationFields {
  nationalId?: string | null;
}

const taken = () => userError(['input', 'email'], 'TAKEN', 'An account with this email already exists');

/** Creates an account with its history entry and registered event; a used email is TAKEN. */
export async function register(em: EntityManager, input: Registration, cause: Cause): Promise<Result<Customer>> {
  const errors = validateRegistration(input);
  if (errors.length > 0) return refused(errors);
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
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
        nationalId: input.nationalId ?? null,
      });
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
 * The account these credentials open. A throttled email or client is refused before the password
 * is looked at; a wrong email and a wrong password get the same answer, in the same time.
 */
export async function authenticate(
  em: EntityManager,
  throttle: LoginThrottle,
  credentials: Credentials,
  clientAddress: string,
): Promise<Result<Customer>> {
  const email = normaliseEmail(credentials.email);
  if (await throttle.isBlocked(em, email, clientAddress)) {
    return refused([userError(['input'], 'TOO_MANY_ATTEMPTS', 'Too many failed attempts; try again later')]);
  }
  const customer = await em.findOne(Customer, { email }, { populate: ['passwordHash'] });
  // Verify against a dummy hash when there is no account, so timing does not reveal which emails exist.
  const valid = await verifyPassword(credentials.password, customer?.passwordHash ?? (await dummyPasswordHash()));
  if (!customer || !valid) {
    await throttle.recordFailure(em, email, clientAddress);
    return refused([userError(['input'], 'INVALID_CREDENTIALS', 'Email or password is incorrect')]);
  }
  await throttle.recordSuccess(em, email);
  return succeeded(customer);
}
