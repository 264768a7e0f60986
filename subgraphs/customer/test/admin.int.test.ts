import type { RunningServer } from '@commerce-supergraph/shared/http/server';
import { runService } from '@commerce-supergraph/shared/process';
import { dropDatabase } from '@commerce-supergraph/test-support/database';
import { postGraphQL } from '@commerce-supergraph/test-support/graphql-client';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { querySql } from '@commerce-supergraph/test-support/sql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCustomerSubgraph } from '../src/app.js';
import type { CustomerConfig } from '../src/config.js';
import { TEST_GATEWAY_SECRET, testCustomerConfig } from './helpers.js';

/**
 * The admin bootstrap on one database across restarts, as a deployment sees it: the first start
 * creates the admin; later starts leave it alone; an ADMIN_EMAIL that names someone else's account
 * stops the start instead of making that account admin.
 */
const nats: TestNatsServer = await startNatsServer();
const ADMIN = { ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'the-first-admin-password' };
const first = testCustomerConfig({ NATS_URL: nats.url, ...ADMIN });
const on = (env: Record<string, string>): CustomerConfig => ({
  ...testCustomerConfig({ NATS_URL: nats.url, ...ADMIN, ...env }),
  dbName: first.dbName,
});

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token customer { id } userErrors { code } } }`;
const REGISTER = `mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customer { id } userErrors { code } } }`;

const roles = async (email: string) =>
  (await querySql<{ roles: string[] }>(first.dbName, 'select roles from customers where email = ?', [email]))[0]?.roles;

async function withServer<T>(config: CustomerConfig, use: (server: RunningServer) => Promise<T>): Promise<T> {
  const subgraph = createCustomerSubgraph(config);
  const server = await subgraph.start();
  try {
    return await use(server);
  } finally {
    await subgraph.stop();
  }
}

const call = (server: RunningServer, query: string, input: Record<string, unknown>) =>
  postGraphQL(server.url, query, { input }, { gatewaySecret: TEST_GATEWAY_SECRET });

const tokenRoles = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).roles as string[];

beforeAll(async () => {
  // First start on an empty database: the missing account is created as admin.
  await withServer(first, async (server) => {
    const login = await call(server, LOGIN, { email: 'boss@example.com', password: 'the-first-admin-password' });
    expect(tokenRoles(login.data?.login.token)).toEqual(['customer', 'admin']);
    const registered = await call(server, REGISTER, {
      name: 'Early Bird',
      email: 'Taken@Example.com',
      password: 'password123',
    });
    expect(registered.data?.registerCustomer.userErrors).toEqual([]);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await dropDatabase(first.dbName);
  await nats.dispose();
});

describe('the admin bootstrap', () => {
  it('created the missing account as admin on the first start', async () => {
    expect(await roles('boss@example.com')).toEqual(['customer', 'admin']);
    expect(await roles('taken@example.com')).toEqual(['customer']);
  });

  it('refuses to start when ADMIN_EMAIL names an account that is not an admin, and leaves it as it was', async () => {
    const subgraph = createCustomerSubgraph(on({ ADMIN_EMAIL: 'taken@example.com' }));
    await expect(subgraph.start()).rejects.toThrow(
      /ADMIN_EMAIL taken@example\.com belongs to an existing account that is not an admin, and an existing account is never made admin/,
    );
    expect(await roles('taken@example.com')).toEqual(['customer']);
    // The address is compared as stored: another spelling of it is the same account.
    await expect(createCustomerSubgraph(on({ ADMIN_EMAIL: ' TAKEN@example.COM ' })).start()).rejects.toThrow(
      /never made admin/,
    );
    expect(await roles('taken@example.com')).toEqual(['customer']);
  });

  it('says why in one line and exits 1, as an entry point does', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    await expect(
      runService('customer', () => createCustomerSubgraph(on({ ADMIN_EMAIL: 'taken@example.com' }))),
    ).rejects.toThrow('exit 1');
    expect(exit).toHaveBeenCalledWith(1);
    expect(printed.mock.calls[0]?.[0]).toMatch(
      /^customer: Invalid configuration:\n {2}- ADMIN_EMAIL taken@example\.com belongs to an existing account that is not an admin/,
    );
  });

  it('leaves an existing admin as it is, its password too', async () => {
    await withServer(on({ ADMIN_PASSWORD: 'a-changed-admin-password-in-the-env' }), async (server) => {
      const old = await call(server, LOGIN, { email: 'boss@example.com', password: 'the-first-admin-password' });
      expect(tokenRoles(old.data?.login.token)).toEqual(['customer', 'admin']);
      const changed = await call(server, LOGIN, {
        email: 'boss@example.com',
        password: 'a-changed-admin-password-in-the-env',
      });
      expect(changed.data?.login.userErrors).toEqual([{ code: 'INVALID_CREDENTIALS' }]);
    });
    expect(await roles('boss@example.com')).toEqual(['customer', 'admin']);
  });
});
