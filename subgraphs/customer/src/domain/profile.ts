import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { type Result, refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Customer,
  CustomerEvent,
  CustomerEventType,
  type EmploymentStatus,
  FinancialProfile,
} from '../entities/index.js';
import { CustomerSubjects, recordCustomerEvent } from '../events/contracts/published.js';
import { type FinancialFields, type ProfileFields, validateFinancialProfile, validateProfile } from './validation.js';

const EDITABLE = ['name', 'phone', 'address', 'dateOfBirth'] as const;

/** Changes the given profile fields; a history entry and an event only when something changed. */
export async function updateProfile(em: EntityManager, id: string, input: ProfileFields, cause: Cause) {
  const notFound = refused<Customer>([userError(['id'], 'NOT_FOUND', 'No customer with this id')]);
  if (!isUuid(id)) return notFound;
  const errors = validateProfile(input, ['input']);
  if (errors.length > 0) return refused<Customer>(errors);
  return unitOfWork(em, async (tx) => {
    const found = await tx.findOne(Customer, { id });
    if (!found) return notFound;
    const changed = EDITABLE.filter((field) => input[field] !== undefined && input[field] !== found[field]);
    if (changed.length === 0) return succeeded(found);
    const values = Object.fromEntries(
      changed.map((field) => [field, field === 'name' ? input.name?.trim() : input[field]]),
    );
    tx.assign(found, values);
    tx.create(CustomerEvent, { customerId: id, type: CustomerEventType.UPDATED, changedFields: [...changed] });
    recordCustomerEvent(tx, cause, CustomerSubjects.updated, { customerId: id, changedFields: [...changed] });
    return succeeded(found);
  });
}

export interface FinancialProfileFields extends FinancialFields {
  employmentStatus: EmploymentStatus;
}

/** Creates or replaces a customer's financial profile, with its history entry and event. */
export async function setFinancialProfile(
  em: EntityManager,
  customerId: string,
  input: FinancialProfileFields,
  cause: Cause,
): Promise<Result<FinancialProfile>> {
  const errors = validateFinancialProfile(input);
  if (errors.length > 0) return refused(errors);
  const profile = await unitOfWork(em, async (tx) => {
    if (!(await tx.count(Customer, { id: customerId }))) return undefined;
    const existing = await tx.findOne(FinancialProfile, { customerId });
    const { annualIncome, monthlyDebts, totalAssets, employmentStatus } = input;
    const values = { annualIncome, monthlyDebts, totalAssets, employmentStatus, updatedAt: new Date() };
    const saved = existing ? tx.assign(existing, values) : tx.create(FinancialProfile, { customerId, ...values });
    tx.create(CustomerEvent, {
      customerId,
      type: CustomerEventType.FINANCIAL_PROFILE_SET,
      changedFields: ['annualIncome', 'monthlyDebts', 'totalAssets', 'employmentStatus'],
    });
    recordCustomerEvent(tx, cause, CustomerSubjects.financialProfileSet, { customerId });
    return saved;
  });
  if (!profile) return refused([userError(undefined, 'NOT_FOUND', 'Your account no longer exists')]);
  // Read back what PostgreSQL stored, so "1.5" comes back as the canonical "1.50".
  await em.refresh(profile);
  return succeeded(profile);
}
