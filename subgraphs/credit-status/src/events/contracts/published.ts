import type { StreamSpec } from '@commerce-supergraph/shared/events/jetstream/streams';
import { eventRecorder } from '@commerce-supergraph/shared/events/outbox';

/** The credit-status subgraph publishes to, and owns, this stream. */
export const CREDIT_STREAM: StreamSpec = { name: 'CREDIT', subjects: ['credit.>'] };

export const SOURCE = 'credit-status';

/**
 * What this subgraph publishes. The contract is the JSON shape, versioned in the subject
 * (docs/architecture.md, Events); consumers keep their own copy.
 */
export const CreditSubjects = {
  scoreChanged: 'credit.score.changed.v1',
} as const;

export interface CreditScoreChanged {
  customerId: string;
  /** The score after the change. */
  score: number;
  /** What was applied, after clamping to 300-850. */
  delta: number;
  /** The FICO-style band of the new score. */
  band: 'POOR' | 'FAIR' | 'GOOD' | 'VERY_GOOD' | 'EXCEPTIONAL';
  reason: string;
}

/** Each subject this subgraph publishes, with the shape of its data. */
export interface CreditPayloads {
  [CreditSubjects.scoreChanged]: CreditScoreChanged;
}

/** Adds a credit event to the outbox of the unit of work, next to the change it reports. */
export const recordCreditEvent = eventRecorder<CreditPayloads>(SOURCE);
