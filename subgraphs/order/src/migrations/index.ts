import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122004557_initial } from './Migration20261122004557_initial.js';

/** Every migration in order. Listed by hand so built and test runs load exactly these. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261122004557_initial', class: Migration20261122004557_initial },
];
