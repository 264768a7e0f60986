import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A random id made once, by the first migration of this database (its only row). The price
 * projection's durable consumer is named after it, so a new database gets a new consumer that reads
 * the CATALOG stream from its first event, while a restart resumes where the old one stopped.
 */
@Entity({ tableName: 'database_identity' })
export class DatabaseIdentity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date & Opt;
}
