import { consumerPositionsMigration, eventTablesMigration } from '@commerce-supergraph/shared/events/tables';
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122003525_initial } from './Migration20261122003525_initial.js';
import { Migration20261205230000_deleted_customers } from './Migration20261205230000_deleted_customers.js';

/**
 * Every migration in order of their dates. Listed by hand so built and test runs load exactly these.
 * The outbox and inbox tables are shared: eventTablesMigration says how older databases take it.
 */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122003525_initial', class: Migration20261122003525_initial },
  eventTablesMigration,
  consumerPositionsMigration,
  { name: 'Migration20261205230000_deleted_customers', class: Migration20261205230000_deleted_customers },
];
