import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000602_initial } from './Migration20261122000602_initial.js';
import { Migration20261122002327_events } from './Migration20261122002327_events.js';
import { Migration20261122003627_notifications } from './Migration20261122003627_notifications.js';
import { Migration20261122012519_inbox_handled_at_index } from './Migration20261122012519_inbox_handled_at_index.js';
import { Migration20261126100000_consumer_positions } from './Migration20261126100000_consumer_positions.js';
import { Migration20261126100100_notification_dispatch } from './Migration20261126100100_notification_dispatch.js';

/** Every migration in order. Listed by hand so built and test runs load exactly these. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122000602_initial', class: Migration20261122000602_initial },
  { name: 'Migration20261122002327_events', class: Migration20261122002327_events },
  { name: 'Migration20261122003627_notifications', class: Migration20261122003627_notifications },
  { name: 'Migration20261122012519_inbox_handled_at_index', class: Migration20261122012519_inbox_handled_at_index },
  { name: 'Migration20261126100000_consumer_positions', class: Migration20261126100000_consumer_positions },
  { name: 'Migration20261126100100_notification_dispatch', class: Migration20261126100100_notification_dispatch },
];
