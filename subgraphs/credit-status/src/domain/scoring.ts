import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CreditScoreChange, CreditStatus } from '../entities/index.js';
import { type Cause, recordScoreChanged } from '../events/credit-events.js';
import { bandOf, INITIAL_SCORE, moveScore } from './score.js';

/**
 * Creates the statuses that do not exist yet, at the initial score, and leaves existing ones alone.
 * The primary key decides between racing callers (the registered event, a first read, a payment):
 * whoever comes second does nothing, so a status is never created twice or reset.
 */
export async function ensureStatuses(em: EntityManager, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  // MikroORM inlines an array parameter as a comma list: hence `array[?]`.
  await em.execute(
    `insert into credit_statuses (customer_id, score, created_at, updated_at)
     select id, ?, now(), now() from unnest(array[?]::uuid[]) as id
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
  const found = await em.find(CreditStatus, { customerId: { $in: [...customerIds] } });
  const present = new Set(found.map((status) => status.customerId));
  const missing = customerIds.filter((id) => !present.has(id));
  if (missing.length === 0) return found;
  await ensureStatuses(em, missing);
  return [...found, ...(await em.find(CreditStatus, { customerId: { $in: missing } }))];
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
 * Moves a score by `delta` within 300-850, records the change in the history and the event in the
 * outbox. Runs in the caller's transaction (so a handler's inbox row commits with it): the row lock
 * makes concurrent changes of one customer wait for each other, so none is lost. A change that
 * moves nothing (the score already at the bound) is not recorded. Undefined: no such status.
 */
export async function changeScore(
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
  recordScoreChanged(em, cause, { customerId, score, delta, band: bandOf(score), reason });
  return { status, applied: delta };
}
