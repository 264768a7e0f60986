import { randomUUID } from 'node:crypto';

/**
 * Why a change happened, carried into every event it records: `correlationId` is the request (or
 * start-up, or sweep) that started the chain, `causationId` the request or event that directly
 * caused this change (the correlation id itself when left out).
 */
export interface Cause {
  correlationId: string;
  causationId?: string;
}

/** A request caused the change: its id correlates everything that follows. */
export const requestCause = (request: { requestId: string }): Cause => ({ correlationId: request.requestId });

/** A handled event caused the change: same correlation, caused by that event. */
export const causedBy = (envelope: { id: string; correlationId: string }): Required<Cause> => ({
  correlationId: envelope.correlationId,
  causationId: envelope.id,
});

/** Nothing outside caused it (start-up, a scheduled sweep): a fresh id correlates what it causes. */
export const internalCause = (label: string): Cause => ({ correlationId: `${label}-${randomUUID()}` });
