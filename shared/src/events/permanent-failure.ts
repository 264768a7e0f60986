/**
 * A delivery that no redelivery can fix: an event that is not what its consumer's contract says, or
 * that comes from a service that does not publish its subject. A handler (or a step before it)
 * throws one to have the message dead-lettered at once, on its first delivery, with the message as
 * the dead letter's error; any other error is retried with backoff first (see dispatch.ts).
 */
export class PermanentFailure extends Error {
  override name = 'PermanentFailure';
}
