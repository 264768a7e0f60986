import type { Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One attempt counted by the throttle (domain/throttle.ts): a login not (yet) known to have
 * succeeded, or a registration. Kept in the database rather than in memory so the limits hold across
 * restarts and across several instances of the subgraph.
 */
@Entity({ tableName: 'throttle_attempts' })
@Index({ properties: ['key', 'attemptedAt'] })
export class ThrottleAttempt {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** `email:<sha-256 of the address>` or `client:<ip>` (logins), `register:<ip>` (registrations). */
  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'timestamptz' })
  attemptedAt: Date & Opt = new Date();
}
