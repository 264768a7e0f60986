import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A customer whose account was deleted (`customers.customer.deleted.v1`): kept so that an event
 * about them arriving late, from another stream, creates nothing again. Holds the id alone.
 */
@Entity({ tableName: 'deleted_customers' })
export class DeletedCustomer {
  @PrimaryKey({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'timestamptz' })
  deletedAt!: Date;
}
