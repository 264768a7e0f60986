import { type UserError, userError } from '@commerce-supergraph/shared/graphql/errors';

const MAX_REASON_LENGTH = 500;

export interface AdjustmentFields {
  delta: number;
  reason: string;
}

/** An admin's manual adjustment: every problem at once, an empty list means it may be applied. */
export function validateAdjustment(input: AdjustmentFields): UserError[] {
  const errors: UserError[] = [];
  if (input.delta === 0) errors.push(userError(['input', 'delta'], 'INVALID', 'Delta must not be 0'));
  const reason = input.reason.trim();
  if (reason === '') errors.push(userError(['input', 'reason'], 'BLANK', 'Reason must not be blank'));
  else if (reason.length > MAX_REASON_LENGTH) {
    errors.push(userError(['input', 'reason'], 'INVALID', `Reason must be at most ${MAX_REASON_LENGTH} characters`));
  }
  return errors;
}
