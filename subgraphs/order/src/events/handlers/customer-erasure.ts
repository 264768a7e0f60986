import { causedBy } from '@commerce-supergraph/shared/events/cause';
import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import { eraseCustomer } from '../../domain/erasure.js';
import type { CustomerDeleted } from '../contracts/consumed.js';

/** A customer's account was deleted: their open orders are cancelled and their orders anonymised. */
export async function eraseDeletedCustomer(envelope: EventEnvelope<CustomerDeleted>, { em, log }: HandlerContext) {
  const { customerId, deletedAt } = envelope.data;
  const cancelled = await eraseCustomer(em, customerId, new Date(deletedAt), causedBy(envelope));
  log.info({ customerId, cancelled }, 'orders of a deleted customer erased');
}
