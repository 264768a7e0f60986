import { consumerPositionsMigration, eventTablesMigration } from '@commerce-supergraph/shared/events/tables';
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122004557_initial } from './Migration20261122004557_initial.js';
import { Migration20261126103502_projection_positions } from './Migration20261126103502_projection_positions.js';
import { Migration20261126110000_orders_pending_index } from './Migration20261126110000_orders_pending_index.js';
import { Migration20261205230000_deleted_customers } from './Migration20261205230000_deleted_customers.js';
import { Migration20261207200000_orders_open_index } from './Migration20261207200000_orders_open_index.js';

/**
 * Every migration in order of their dates. Listed by hand so built and test runs load exactly these.
 * The outbox and inbox tables are shared: eventTablesMigration says how older databases take it.
 */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122004557_initial', class: Migration20261122004557_initial },
  eventTablesMigration,
  { name: 'Migration20261126103502_projection_positions', class: Migration20261126103502_projection_positions },
  { name: 'Migration20261126110000_orders_pending_index', class: Migration20261126110000_orders_pending_index },
  consumerPositionsMigration,
  { name: 'Migration20261205230000_deleted_customers', class: Migration20261205230000_deleted_customers },
  { name: 'Migration20261207200000_orders_open_index', class: Migration20261207200000_orders_open_index },
];
