import type { Logger } from 'pino';
import { isUuid } from '../db/uuid.js';

/**
 * Whether an id carried by an event can name one of our rows. One that is not a uuid cannot, and no
 * redelivery would change that: the handler acknowledges the event and says so instead of retrying.
 */
export function namesARow(id: string, log: Logger, what: string): boolean {
  if (isUuid(id)) return true;
  log.warn({ [what]: id }, `event names a ${what} that is not a uuid; skipped`);
  return false;
}
