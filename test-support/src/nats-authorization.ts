import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { NatsAuth } from '@commerce-supergraph/shared/nats-config';
import { startNatsServer, type TestNatsServer } from './nats-server.js';

/** The services with a NATS user of their own in the committed authorization. */
export const NATS_SERVICES = ['customer', 'product', 'order', 'credit-status'] as const;
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
}

/**
 * A private nats-server with a copy of the committed per-service users and permissions
 * (deploy/nats/authorization.conf, word for word) and fresh test passwords, passed in the server's
 * environment as docker-compose passes the real ones.
 */
export async function startAuthorizedNatsServer(): Promise<AuthorizedNatsServer> {
  // A letter first, as docs/operations.md advises: the server reads an expanded variable as a
  // configuration value, and one such as "1e0f..." does not parse as a string.
  const passwords = Object.fromEntries(
    NATS_SERVICES.map((service) => [service, `test-${randomBytes(24).toString('hex')}`]),
  );
  const server = await startNatsServer({
    config: await readFile(AUTHORIZATION_CONF, 'utf8'),
    env: Object.fromEntries(NATS_SERVICES.map((service) => [passwordVariable(service), passwords[service] as string])),
  });
  const credentials = Object.fromEntries(
    NATS_SERVICES.map((service) => [service, { user: service, password: passwords[service] }]),
  ) as Record<NatsService, NatsAuth>;
  return { server, credentials };
}

/** A service's NATS settings as environment variables, for its configuration reader. */
export const natsEnv = (auth: NatsAuth): Record<string, string> => ({
  NATS_USER: auth.user ?? '',
  NATS_PASSWORD: auth.password ?? '',
});
