import { hashPassword } from '@commerce-supergraph/shared/auth/password';
import { ConfigError } from '@commerce-supergraph/shared/config';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { internalCause } from '@commerce-supergraph/shared/events/cause';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Customer, CustomerEvent, CustomerEventType } from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/contracts/published.js';
import { normaliseEmail } from './validation.js';

export interface AdminAccount {
  email: string;
  password: string;
}

/**
 * Makes sure the configured admin exists: a missing account is created with the admin role; an
 * existing admin is left as it is (its password too: rotating it is an admin's action, not a side
 * effect of a restart). An existing account without the role is never promoted: emails are not
 * verified, so whoever registered the address first would become admin. The service refuses to start
 * instead, and says why.
 */
export async function ensureAdmin(em: EntityManager, account: AdminAccount, log: Logger): Promise<void> {
  const email = normaliseEmail(account.email);
  const passwordHash = await hashPassword(account.password);
  try {
    await findOrCreate(em, email, passwordHash, log);
  } catch (error) {
    // The address was registered between the look-up and the insert: the same refusal.
    if (error instanceof UniqueConstraintViolationException) throw adminEmailTaken(email);
    throw error;
  }
}

async function findOrCreate(em: EntityManager, email: string, passwordHash: string, log: Logger): Promise<void> {
  await unitOfWork(em, async (tx) => {
    const existing = await tx.findOne(Customer, { email });
    if (existing) {
      if (!existing.roles.includes('admin')) throw adminEmailTaken(email);
      return;
    }
    const admin = tx.create(Customer, { name: 'Administrator', email, passwordHash, roles: ['customer', 'admin'] });
    tx.create(CustomerEvent, { customerId: admin.id, type: CustomerEventType.REGISTERED, changedFields: [] });
    recordCustomerEvent(tx, internalCause('admin-bootstrap'), CustomerSubjects.registered, {
      customerId: admin.id,
      email,
      name: admin.name,
    });
    log.info({ email }, 'admin account created');
  });
}

function adminEmailTaken(email: string): ConfigError {
  return new ConfigError([
    `ADMIN_EMAIL ${email} belongs to an existing account that is not an admin, and an existing account is ` +
      'never made admin (emails are not verified: whoever registered the address first would get the role). ' +
      'Set ADMIN_EMAIL to an address without an account, or grant the role deliberately (docs/operations.md).',
  ]);
}
