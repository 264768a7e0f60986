import type { Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A failed login, keyed by email and by client address. Kept in the database rather than in
 * memory so the limit holds across restarts and across several instances of the subgraph.
 */
@Entity({ tableName: 'login_failures' })
@Index({ properties: ['key', 'attemptedAt'] })
export class LoginFailure {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** `email:<address>` or `client:<ip>`. */
  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'timestamptz' })
  attemptedAt: Date & Opt = new Date();
}
