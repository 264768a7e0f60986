import { readProductConfig } from '@commerce-supergraph/product/config';
import { entities } from '@commerce-supergraph/product/entities/index';
import { migrations } from '@commerce-supergraph/product/migrations/index';
import { migrate } from '@commerce-supergraph/shared/db/migrate';
import { dropDatabase, TEST_DATABASE_URL, testDatabaseName } from '@commerce-supergraph/test-support/database';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, describe, expect, it } from 'vitest';

/** What the Kubernetes migration Job runs (subgraphs/<name>/src/migrate.ts): create, migrate, stop. */
const dbName = testDatabaseName('migrate_job');
afterAll(() => dropDatabase(dbName));

describe('the migration Job', () => {
  it('creates the database and applies every migration, and is a no-op the second time', async () => {
    const config = readProductConfig({ DATABASE_URL: TEST_DATABASE_URL, PRODUCT_DB_NAME: dbName });
    const names = migrations.map((migration) => migration.name);
    expect(await migrate('product', { entities, migrations }, config)).toEqual(names);
    expect(await migrate('product', { entities, migrations }, config)).toEqual(names);
    const tables = await querySql(
      dbName,
      "select tablename from pg_tables where tablename in ('products', 'outbox_messages')",
    );
    expect(tables).toHaveLength(2);
  });
});
