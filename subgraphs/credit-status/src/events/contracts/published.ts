import type { EventEnvelope } from '@commerce-supergraph/shared/events/envelope';
import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { recordEvent } from '@commerce-supergraph/shared/events/outbox';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreditBand } from '../domain/score.js';

/** The credit-status subgraph publishes to, and owns, this stream. */
export const CREDIT_STREAM: StreamSpec = { name: 'CREDIT', subjects: ['credit.>'] };

export const SOURCE = 'credit-status';

/** The contract is the JSON shape, versioned in the subject; consumers keep their own copy of it. */
export const CreditSubjects = {
  scoreChanged: 'credit.score.changed.v1',
} as const;

export interface CreditScoreChanged {
  customerId: string;
  /** The score after the change. */
  score: number;
  /** What was applied, after clamping to 300-850. */
  delta: number;
  band: CreditBand;
  reason: string;
}

/** What caused a change: a request (its id correlates the chain) or a consumed event. */
export interface Cause {
  correlationId: string;
  causationId?: string;
}

/** Adds the score-changed event to the outbox of `em`'s transaction; call inside that transaction. */
export function recordScoreChanged(
  em: EntityManager,
  cause: Cause,
  data: CreditScoreChanged,
): EventEnvelope<CreditScoreChanged> {
  return recordEvent(em, { subject: CreditSubjects.scoreChanged, data, source: SOURCE, ...cause });
}
