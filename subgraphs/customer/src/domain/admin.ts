import { hashPassword } from '@commerce-supergraph/shared/auth/password';
import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { internalCause } from '@commerce-supergraph/shared/events/cause';
import type { Logger } from '@commerce-supergraph/shared/logging';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Customer, CustomerEvent, CustomerEventType } from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/contracts/published.js';
import { normaliseEmail } from './validation.js';

export interface AdminAccount {
  email: string;
  password: string;
}

/**
 * Makes sure the configured admin exists and has the admin role. An existing account keeps its
 * password: rotating it is an admin's action, not a side effect of a restart.
 */
export async function ensureAdmin(em: EntityManager, account: AdminAccount, log: Logger): Promise<void> {
  const email = normaliseEmail(account.email);
  const passwordHash = await hashPassword(account.password);
  await unitOfWork(em, async (tx) => {
    const existing = await tx.findOne(Customer, { email });
    if (existing) {
      if (!existing.roles.includes('admin')) existing.roles = [...existing.roles, 'admin'];
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
