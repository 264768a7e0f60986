import type { Role } from '@commerce-supergraph/shared/auth/jwt';
import { TimestampedEntity } from '@commerce-supergraph/shared/db/base-entities';
import { DateScalar } from '@commerce-supergraph/shared/graphql/scalars';
import type { Opt } from '@mikro-orm/core';
import { Entity, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ObjectType } from 'type-graphql';

/** A registered customer. Also the federated `Customer` entity other subgraphs reference by id. */
@Entity({ tableName: 'customers' })
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

  /** Sensitive identity data: kept for compliance checks, never exposed through the graph. */
  @Property({ type: 'text', nullable: true, lazy: true })
  nationalId?: string | null;

  @Property({ type: 'text[]' })
  roles: Role[] & Opt = ['customer'];

  @Field(() => Date)
  declare createdAt: Date & Opt;

  @Field(() => Date)
  declare updatedAt: Date & Opt;
}
