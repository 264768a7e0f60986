import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122003525_initial } from './Migration20261122003525_initial.js';
import { Migration20261122012520_inbox_handled_at_index } from './Migration20261122012520_inbox_handled_at_index.js';
import { Migration20261126100000_consumer_positions } from './Migration20261126100000_consumer_positions.js';

/** Every migration in order. Listed by hand so built and test runs load exactly these. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122003525_initial', class: Migration20261122003525_initial },
  { name: 'Migration20261122012520_inbox_handled_at_index', class: Migration20261122012520_inbox_handled_at_index },
  { name: 'Migration20261126100000_consumer_positions', class: Migration20261126100000_consumer_positions },
];
