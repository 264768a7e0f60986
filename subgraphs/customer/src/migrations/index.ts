import { consumerPositionsMigration, eventTablesMigration } from '@commerce-supergraph/shared/events/tables';
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000602_initial } from './Migration20261122000602_initial.js';
import { Migration20261122003627_notifications } from './Migration20261122003627_notifications.js';
import { Migration20261126110000_throttle_attempts } from './Migration20261126110000_throttle_attempts.js';
import { Migration20261126110100_national_id_encryption } from './Migration20261126110100_national_id_encryption.js';
import { Migration20261126120100_notification_dispatch } from './Migration20261126120100_notification_dispatch.js';
import { Migration20261205230000_customer_lifecycle } from './Migration20261205230000_customer_lifecycle.js';

/**
 * Every migration in order of their dates. Listed by hand so built and test runs load exactly these.
 * The outbox and inbox tables are shared: eventTablesMigration says how older databases take it.
 */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122000602_initial', class: Migration20261122000602_initial },
  { name: 'Migration20261122003627_notifications', class: Migration20261122003627_notifications },
  eventTablesMigration,
  { name: 'Migration20261126110000_throttle_attempts', class: Migration20261126110000_throttle_attempts },
  { name: 'Migration20261126110100_national_id_encryption', class: Migration20261126110100_national_id_encryption },
  consumerPositionsMigration,
  { name: 'Migration20261126120100_notification_dispatch', class: Migration20261126120100_notification_dispatch },
  { name: 'Migration20261205230000_customer_lifecycle', class: Migration20261205230000_customer_lifecycle },
];
