import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses (databases, streams, consumers), so parallel and repeated runs
 * never see each other's data. Lower-case, so PostgreSQL needs no quoting.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_t${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
}
