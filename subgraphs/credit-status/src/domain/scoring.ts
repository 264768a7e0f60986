import { unitOfWork } from '@commerce-supergraph/shared/db/unit-of-work';
import { isUuid } from '@commerce-supergraph/shared/db/uuid';
import type { Cause } from '@commerce-supergraph/shared/events/cause';
import { userError } from '@commerce-supergraph/shared/graphql/errors';
import { refused, succeeded } from '@commerce-supergraph/shared/graphql/payloads';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CreditScoreChange, CreditStatus } from '../entities/index.js';
import { CreditSubjects, recordCreditEvent } from '../events/contracts/published.js';
import { statusesOf } from './reads.js';
import { bandOf, INITIAL_SCORE, moveScore } from './score.js';
import { validateAdjustment } from './validation.js';

/**
 * Creates the statuses that do not exist yet, at the initial score, and leaves existing ones alone.
 * The primary key decides between racing callers (the registered event, a first read, a payment):
 * whoever comes second does nothing, so a status is never created twice or reset.
 */
async function ensureStatuses(em: EntityManager, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  // MikroORM inlines an array parameter as a comma list: hence `array[?]`. A deleted customer gets none.
  await em.execute(
    `insert into credit_statuses (customer_id, score, created_at, updated_at)
     select id, ?, now(), now() from unnest(array[?]::uuid[]) as id
     where not exists (select 1 from deleted_customers d where d.customer_id = id)
     on conflict (customer_id) do nothing`,
    [INITIAL_SCORE, [...customerIds]],
    'run',
  );
}

/**
 * The statuses of these customers, creating the missing ones: a status is read before the
 * registered event arrives when the customer looks right after signing up. One query when all
 * exist, three at most.
 */
export async function loadStatuses(em: EntityManager, customerIds: readonly string[]): Promise<CreditStatus[]> {
  if (customerIds.length === 0) return [];
  const found = await statusesOf(em, customerIds);
  const present = new Set(found.map((status) => status.customerId));
  const missing = customerIds.filter((id) => !present.has(id));
  if (missing.length === 0) return found;
  await ensureStatuses(em, missing);
  return [...found, ...(await statusesOf(em, missing))];
}

export interface ScoreChangeRequest {
  customerId: string;
  delta: number;
  reason: string;
}

export interface ScoreChangeResult {
  status: CreditStatus;
  /** The delta applied after clamping; 0 means nothing changed and nothing was recorded. */
  applied: number;
}

/**
 * The per-customer advisory lock of this database: taken by every single-customer write that may
 * create a status, and by the erasure, so none of them recreates a status the erasure removes.
 */
const LOCK_NAMESPACE = 0x6372_6564;
const lockCustomer = (tx: EntityManager, customerId: string) =>
  tx.execute('select pg_advisory_xact_lock(?, hashtext(?::text))', [LOCK_NAMESPACE, customerId]);

/** A new customer starts at the initial score (nothing happens when the status exists already). */
export const startStatus = (em: EntityManager, customerId: string): Promise<void> =>
  unitOfWork(em, async (tx) => {
    await lockCustomer(tx, customerId);
    await ensureStatuses(tx, [customerId]);
  });

/**
 * Erases what this subgraph holds of a deleted customer (the status and its whole history), and
 * remembers the id so a late registered or payment event creates nothing again. Idempotent.
 */
export const eraseCustomer = (em: EntityManager, customerId: string, deletedAt: Date): Promise<void> =>
  unitOfWork(em, async (tx) => {
    await lockCustomer(tx, customerId);
    await tx.execute(
      'insert into deleted_customers (customer_id, deleted_at) values (?, ?) on conflict (customer_id) do nothing',
      [customerId, deletedAt],
      'run',
    );
    await tx.nativeDelete(CreditScoreChange, { creditStatus: customerId });
    await tx.nativeDelete(CreditStatus, { customerId });
  });

/**
 * A payment moves its customer's score. Payment events may overtake the registered event (another
 * stream), so the status is created first when needed.
 */
export function scorePayment(em: EntityManager, request: ScoreChangeRequest, cause: Cause) {
  return unitOfWork(em, async (tx) => {
    await lockCustomer(tx, request.customerId);
    await ensureStatuses(tx, [request.customerId]);
    // No status after ensuring one: the customer was deleted, and nothing is scored for them.
    return changeScore(tx, request, cause);
  });
}

/** An admin's manual adjustment: validated, then applied like any other change. */
export async function adjustScore(em: EntityManager, request: ScoreChangeRequest, cause: Cause) {
  const errors = validateAdjustment(request);
  if (errors.length > 0) return refused<CreditStatus>(errors);
  const notFound = userError(['input', 'customerId'], 'NOT_FOUND', 'No credit status for this customer');
  if (!isUuid(request.customerId)) return refused<CreditStatus>([notFound]);
  const change = { customerId: request.customerId.toLowerCase(), delta: request.delta, reason: request.reason.trim() };
  const result = await unitOfWork(em, (tx) => changeScore(tx, change, cause));
  return result ? succeeded(result.status) : refused<CreditStatus>([notFound]);
}

/**
 * Moves a score by `delta` within 300-850, records the change in the history and the event in the
 * outbox, in the caller's transaction: the row lock makes concurrent changes of one customer wait
 * for each other, so none is lost. A change that moves nothing (the score already at the bound) is
 * not recorded. Undefined: no such status.
 */
async function changeScore(
  em: EntityManager,
  request: ScoreChangeRequest,
  cause: Cause,
): Promise<ScoreChangeResult | undefined> {
  const { customerId, reason } = request;
  // refresh: an identity map holding this status from before the lock must not win over the row.
  const status = await em.findOne(
    CreditStatus,
    { customerId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!status) return undefined;
  const { score, delta } = moveScore(status.score, request.delta);
  if (delta === 0) return { status, applied: 0 };
  status.score = score;
  status.updatedAt = new Date();
  em.create(CreditScoreChange, { creditStatus: status, score, delta, reason });
  recordCreditEvent(em, cause, CreditSubjects.scoreChanged, { customerId, score, delta, band: bandOf(score), reason });
  return { status, applied: delta };
}
