import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
// By package name, not './nats-server.js': the fault suite runs this file with Node's type stripping,
// which resolves the package's exports to the .ts source but not a relative .js to a .ts file.
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';

/** The services with a NATS user of their own in the committed authorization. */
export const NATS_SERVICES = ['customer', 'product', 'order', 'credit-status', 'gateway'] as const;
export type NatsService = (typeof NATS_SERVICES)[number];

/** The committed users and permissions, as docker-compose's NATS loads them. */
export const AUTHORIZATION_CONF = fileURLToPath(new URL('../../deploy/nats/authorization.conf', import.meta.url));

/** Where the committed configuration reads a service's password: `NATS_CREDIT_STATUS_PASSWORD`. */
export const passwordVariable = (service: NatsService): string =>
  `NATS_${service.toUpperCase().replaceAll('-', '_')}_PASSWORD`;

export interface AuthorizedNatsServer {
  server: TestNatsServer;
  /** Each service's user and its test password. */
  credentials: Record<NatsService, NatsAuth>;
  /** With `operator`: a user without restrictions, for a test that inspects every stream and consumer. */
  operator?: NatsAuth;
}

export interface AuthorizedNatsOptions {
  /**
   * Adds an `operator` user with every permission, as an operator has beside the services' users
   * (the committed users may not list consumers, for one). The services' users stay as committed.
   */
  operator?: boolean;
}

/** A random test password: a letter first (see below), then hex. */
const testPassword = () => `test-${randomBytes(24).toString('hex')}`;

/** The committed users with one more, unrestricted, appended to their list. */
function withOperator(config: string, password: string): string {
  const end = config.lastIndexOf('\n  ]\n}');
  if (end < 0) throw new Error(`${AUTHORIZATION_CONF}: the end of the users list was not found`);
  const operator = `\n    { user: operator, password: ${JSON.stringify(password)} }`;
  return `${config.slice(0, end)}${operator}${config.slice(end)}`;
}

/**
 * A private nats-server with a copy of the committed per-service users and permissions
 * (deploy/nats/authorization.conf, word for word) and fresh test passwords, passed in the server's
 * environment as docker-compose passes the real ones.
 */
export async function startAuthorizedNatsServer(options: AuthorizedNatsOptions = {}): Promise<AuthorizedNatsServer> {
  const { config, env, credentials, operator } = await authorizationConfig(options);
  const server = await startNatsServer({ config, env });
  return { server, credentials, operator };
}

/**
 * The committed authorization with fresh test passwords, for a server of a test's own (or each
 * node of a cluster, e2e/faults/cluster-run.ts): the configuration text, the server's environment
 * that carries the passwords, and each service's credentials.
 */
export async function authorizationConfig(options: AuthorizedNatsOptions = {}): Promise<{
  config: string;
  env: Record<string, string>;
  credentials: Record<NatsService, NatsAuth>;
  operator?: NatsAuth;
}> {
  // A letter first, as docs/operations.md advises: the server reads an expanded variable as a
  // configuration value, and one such as "1e0f..." does not parse as a string.
  const passwords = Object.fromEntries(NATS_SERVICES.map((service) => [service, testPassword()]));
  const committed = await readFile(AUTHORIZATION_CONF, 'utf8');
  const operator = options.operator ? { user: 'operator', password: testPassword() } : undefined;
  const credentials = Object.fromEntries(
    NATS_SERVICES.map((service) => [service, { user: service, password: passwords[service] }]),
  ) as Record<NatsService, NatsAuth>;
  return {
    config: operator ? withOperator(committed, operator.password) : committed,
    env: Object.fromEntries(NATS_SERVICES.map((service) => [passwordVariable(service), passwords[service] as string])),
    credentials,
    operator,
  };
}

/** A service's NATS settings as environment variables, for its configuration reader. */
export const natsEnv = (auth: NatsAuth): Record<string, string> => ({
  NATS_USER: auth.user ?? '',
  NATS_PASSWORD: auth.password ?? '',
});
