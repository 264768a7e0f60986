import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * The id and timestamp columns most tables have, declared once (MikroORM maps a base class's
 * properties into each entity's own table). An entity extends the one whose columns it has exactly;
 * a table keyed otherwise, or whose timestamps come from elsewhere (the database clock, an event),
 * declares its own.
 *
 * GraphQL: an entity's `id` is the first field of its type, so it is exposed here, as `ID` (the
 * bases are object types only for their subclasses to inherit it: no field returns them, so no schema
 * has them). The timestamps are not: type-graphql lists a base class's fields before the type's own,
 * so a type that shows them declares them where they stand among its fields, e.g.
 * `@Field(() => Date) declare createdAt: Date & Opt;` (a declaration only: the column and its value
 * stay the base class's). An entity whose id is not in the API declares its own id.
 */
@ObjectType()
export abstract class UuidEntity {
  /** Made by the application, so an entity has its id before it is flushed. */
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();
}

/** A row that keeps when it was created: `created_at timestamptz not null`. */
@ObjectType()
export abstract class CreatedAtEntity extends UuidEntity {
  @Property({ type: 'timestamptz' })
  createdAt: Date & Opt = new Date();
}

/** A row that also keeps when it last changed: every flush that changes it sets `updated_at`. */
@ObjectType()
export abstract class TimestampedEntity extends CreatedAtEntity {
  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
