import { randomBytes, randomUUID } from 'node:crypto';
import { openDatabase } from '@commerce-supergraph/shared/db/orm';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { dropDatabase, TEST_DATABASE_URL } from '@commerce-supergraph/test-support/database';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { startNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, describe, expect, it } from 'vitest';
import { createCustomerSubgraph } from '../src/app.js';
import type { CustomerConfig } from '../src/config.js';
import { keyIdOf, NationalIdCipher, type StoredNationalId } from '../src/domain/national-id.js';
import { entities } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';
import { TEST_GATEWAY_SECRET, testCustomerConfig } from './helpers.js';

const REGISTER = `mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { token customer { id name email phone } userErrors { code } } }`;
const ENCRYPTION_MIGRATION = 'Migration20261126110100_national_id_encryption';

// A NATS of this file's own: the CUSTOMERS stream must not land on the machine's server.
const nats = await startNatsServer();
const firstKey = randomBytes(32);
const secondKey = randomBytes(32);
const configWith = (dbName: string | undefined, current: Buffer, previous: Buffer[] = []): CustomerConfig => {
  const config = testCustomerConfig({
    NATS_URL: nats.url,
    NATIONAL_ID_KEY: current.toString('base64'),
    ...(previous.length > 0
      ? { NATIONAL_ID_PREVIOUS_KEYS: previous.map((key) => key.toString('base64')).join(',') }
      : {}),
  });
  return dbName ? { ...config, dbName } : config;
};
const config = configWith(undefined, firstKey);
const databases = [config.dbName];

/** The column as PostgreSQL holds it, read from outside the subgraph. */
async function storedNationalId(
  dbName: string,
  customerId: string,
): Promise<{ text: string; value: StoredNationalId }> {
  const [row] = await querySql<{ text: string; value: StoredNationalId }>(
    dbName,
    'select national_id::text as text, national_id as value from customers where id = ?',
    [customerId],
  );
  return row as { text: string; value: StoredNationalId };
}

/** Starts a customer subgraph on `config` until `use` is done: a start-up, as a deployment does. */
async function whileRunning<T>(runConfig: CustomerConfig, use: (url: string) => Promise<T>): Promise<T> {
  const subgraph = createCustomerSubgraph(runConfig);
  const server = await subgraph.start();
  try {
    return await use(server.url);
  } finally {
    await subgraph.stop();
  }
}

afterAll(async () => {
  for (const dbName of databases) await dropDatabase(dbName);
  await nats.dispose();
});

describe('national id at rest', () => {
  it('stores no plaintext when a customer registers, and the API answers as before', async () => {
    const input = {
      name: 'Ada Lovelace',
      email: 'ada.national@example.com',
      password: 'analytical-engine',
      phone: '+4915112345678',
      nationalId: 'AB123456C',
    };
    const { res, sdl } = await whileRunning(config, async (url) => ({
      res: await postGraphQL(url, REGISTER, { input }, { gatewaySecret: TEST_GATEWAY_SECRET }),
      sdl: (await postGraphQL(url, '{ _service { sdl } }', {}, { gatewaySecret: TEST_GATEWAY_SECRET })).data?._service
        .sdl as string,
    }));
    const payload = res.data?.registerCustomer;
    expect(payload.userErrors).toEqual([]);
    expect(payload.customer).toMatchObject({ name: 'Ada Lovelace', email: 'ada.national@example.com' });
    expect(JSON.stringify(res)).not.toContain('AB123456C');
    // Accepted on registration, never returned: Customer has no field for it.
    expect(/input RegisterCustomerInput[^{]*\{[^}]*nationalId: String/.exec(sdl)).not.toBeNull();
    expect(/type Customer[^{]*\{([^}]*)\}/.exec(sdl)?.[1]).not.toContain('nationalId');

    const stored = await storedNationalId(config.dbName, payload.customer.id);
    expect(stored.text).not.toContain('AB123456C');
    expect(stored.value).toMatchObject({ v: 1, keyId: keyIdOf(firstKey) });
    const cipher = new NationalIdCipher({ current: firstKey, previous: [] });
    expect(cipher.open(payload.customer.id, stored.value)).toBe('AB123456C');
  });

  it('seals the plaintext of a database migrated before, at start-up, once', async () => {
    const old = configWith(`${config.dbName}_old`, firstKey);
    databases.push(old.dbName);
    const before = migrations.filter((migration) => migration.name !== ENCRYPTION_MIGRATION);
    const orm = await openDatabase({
      url: TEST_DATABASE_URL,
      dbName: old.dbName,
      entities,
      migrations: before,
      log: createLogger('test'),
    });
    await orm.close(true);
    const customerId = randomUUID();
    await querySql(
      old.dbName,
      `insert into customers (id, name, email, password_hash, national_id, roles, created_at, updated_at)
       values (?, 'Legacy', 'legacy@example.com', 'x', 'ZZ987654Q', '{customer}', now(), now())`,
      [customerId],
    );

    await whileRunning(old, async () => undefined);
    const sealed = await storedNationalId(old.dbName, customerId);
    expect(sealed.text).not.toContain('ZZ987654Q');
    expect(new NationalIdCipher({ current: firstKey, previous: [] }).open(customerId, sealed.value)).toBe('ZZ987654Q');

    // Another start changes nothing: the value is already sealed with the current key.
    await whileRunning(old, async () => undefined);
    expect((await storedNationalId(old.dbName, customerId)).text).toBe(sealed.text);

    // A rotation: the new key seals, the old one still opens, and the start-up re-seals with the new one.
    await whileRunning(configWith(old.dbName, secondKey, [firstKey]), async () => undefined);
    const rotated = await storedNationalId(old.dbName, customerId);
    expect(rotated.value).toMatchObject({ keyId: keyIdOf(secondKey) });
    expect(rotated.text).not.toContain('ZZ987654Q');
    expect(new NationalIdCipher({ current: secondKey, previous: [] }).open(customerId, rotated.value)).toBe(
      'ZZ987654Q',
    );
  });
});
