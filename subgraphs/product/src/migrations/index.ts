import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122002459_initial } from './Migration20261122002459_initial.js';
import { Migration20261122004624_reservation_tombstones } from './Migration20261122004624_reservation_tombstones.js';

/** Every migration in order. Listed by hand so built and test runs load exactly these. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122002459_initial', class: Migration20261122002459_initial },
  { name: 'Migration20261122004624_reservation_tombstones', class: Migration20261122004624_reservation_tombstones },
];
