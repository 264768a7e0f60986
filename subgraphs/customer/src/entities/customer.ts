import type { Role } from '@commerce-supergraph/shared/auth/jwt';
import { TimestampedEntity } from '@commerce-supergraph/shared/db/base-entities';
import { DateScalar } from '@commerce-supergraph/shared/graphql/scalars';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ObjectType } from 'type-graphql';
import type { StoredNationalId } from '../domain/national-id.js';

/** A registered customer. Also the federated `Customer` entity other subgraphs reference by id. */
@Entity({ tableName: 'customers' })
// The admin directory (domain/directory.ts): its stable order, and its search by any part of the name
// or email, case-insensitive, through trigram indexes (a substring LIKE cannot use a b-tree).
@Index({ name: 'customers_created_at_id_index', properties: ['createdAt', 'id'] })
@Index({
  name: 'customers_name_trgm_index',
  expression: 'create index "customers_name_trgm_index" on "customers" using gin (lower("name") gin_trgm_ops)',
})
@Index({
  name: 'customers_email_trgm_index',
  expression: 'create index "customers_email_trgm_index" on "customers" using gin ("email" gin_trgm_ops)',
})
@ObjectType({ description: 'A registered customer.' })
@Directive('@key(fields: "id")')
export class Customer extends TimestampedEntity {
  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  /** Stored lower-cased; the unique index makes two registrations of one address impossible. */
  @Property({ type: 'text' })
  @Unique()
  @Field(() => String)
  email!: string;

  /** argon2id PHC string. Deliberately no @Field: it never leaves this subgraph. */
  @Property({ type: 'text', lazy: true })
  passwordHash!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'E.164, e.g. +4915112345678.' })
  phone?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  address?: string | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => DateScalar, { nullable: true })
  dateOfBirth?: string | null;

  /**
   * Sensitive identity data, kept for compliance checks and never exposed through the graph. Stored
   * encrypted (AES-256-GCM, domain/national-id.ts) with the id of its key.
   */
  @Property({ type: 'json', nullable: true, lazy: true })
  nationalId?: StoredNationalId | null;

  @Property({ type: 'text[]' })
  roles: Role[] & Opt = ['customer'];

  @Field(() => Date)
  declare createdAt: Date & Opt;

  @Field(() => Date)
  declare updatedAt: Date & Opt;
}
