import { accessSync, constants } from 'node:fs';
import { type ConfigReader, type Env, isProduction } from './config.js';

/**
 * How a service proves who it is to NATS, and how it checks the server: at most one of user and
 * password, token, creds file (a user JWT with its nkey seed) or nkey seed file, and TLS. The files
 * are read at each (re)connect, so a rotated one is picked up without a restart.
 */
export interface NatsAuth {
  user?: string;
  password?: string;
  token?: string;
  credsFile?: string;
  nkeySeedFile?: string;
  tls?: {
    /** The CA that signed the server's certificate, when it is not one the system trusts. */
    caFile?: string;
    /** A client certificate and its key, for a server that verifies clients (`verify: true`). */
    certFile?: string;
    keyFile?: string;
  };
}

/**
 * The NATS passwords docker-compose.dev.env publishes for development in Docker: production refuses
 * them, like every other published secret.
 */
export const PUBLISHED_NATS_PASSWORDS: readonly string[] = [
  'development-only-nats-customer-password',
  'development-only-nats-product-password',
  'development-only-nats-order-password',
  'development-only-nats-credit-status-password',
  'development-only-nats-gateway-password',
];

/**
 * NATS_URL: one server, or several separated by commas (`nats://a:4222,nats://b:4222,nats://c:4222`),
 * the members of a cluster. The client connects to one of them and fails over to the others (and to
 * any member the cluster announces) when it goes away. Each must be a nats:// or tls:// URL.
 */
export function readNatsUrl(reader: ConfigReader): string {
  return reader.parsed('NATS_URL', { default: 'nats://127.0.0.1:4222' }, (raw) => {
    const servers = natsServers(raw);
    if (servers.length === 0) throw new Error('must name at least one server');
    for (const server of servers) {
      let parsed: URL;
      try {
        parsed = new URL(server);
      } catch {
        // The value is not echoed: a URL may carry a password.
        throw new Error('must be a URL, or URLs separated by commas');
      }
      if (parsed.protocol !== 'nats:' && parsed.protocol !== 'tls:') {
        throw new Error(`must use nats: or tls:, got "${parsed.protocol}"`);
      }
    }
    return raw;
  });
}

/** The servers a NATS_URL names, for the client's `servers` option (it does not split a list itself). */
export const natsServers = (url: string): string[] =>
  url
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');

/**
 * NATS_STREAM_REPLICAS: how many servers of a JetStream cluster keep a copy of each stream a
 * service creates (1 on a single server; 3 on a 3-node cluster survives the loss of one node). At
 * most 5, as NATS allows; more than the cluster has members and the server refuses the stream.
 */
export const readStreamReplicas = (reader: ConfigReader): number =>
  reader.int('NATS_STREAM_REPLICAS', { default: 1, min: 1, max: 5 });

const CREDENTIALS =
  'NATS_USER and NATS_PASSWORD, NATS_TOKEN, NATS_CREDS_FILE, NATS_NKEY_SEED_FILE, or NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE';

/**
 * Reads NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS_FILE, NATS_NKEY_SEED_FILE,
 * NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE (every service that connects to NATS,
 * and the dead-letters script). In production a service must present credentials: anonymous
 * clients could publish any event. A password or token is a secret like the others: in production at
 * least 32 bytes and none of the `published` values.
 */
export function readNatsAuth(
  reader: ConfigReader,
  env: Env = process.env,
  published: readonly string[] = PUBLISHED_NATS_PASSWORDS,
): NatsAuth {
  const file = (name: string) =>
    reader.parsed<string | undefined>(name, { default: '' }, (path) => {
      try {
        accessSync(path, constants.R_OK);
      } catch {
        throw new Error(`names a file that cannot be read: ${path}`);
      }
      return path;
    }) || undefined;
  const text = (name: string) => reader.string(name, { default: '' }) || undefined;
  // Read as a secret only when set: which credential is required is decided below, across them all.
  const secret = (name: string) => (env[name] ? reader.secret(name, { published }) : undefined);
  const auth: NatsAuth = {
    user: text('NATS_USER'),
    password: secret('NATS_PASSWORD'),
    token: secret('NATS_TOKEN'),
    credsFile: file('NATS_CREDS_FILE'),
    nkeySeedFile: file('NATS_NKEY_SEED_FILE'),
  };
  const tls = {
    caFile: file('NATS_TLS_CA_FILE'),
    certFile: file('NATS_TLS_CERT_FILE'),
    keyFile: file('NATS_TLS_KEY_FILE'),
  };
  if (tls.caFile || tls.certFile || tls.keyFile) auth.tls = tls;

  // What is set, not what passed: a refused password is reported once, as itself.
  const password = Boolean(env.NATS_PASSWORD);
  if (auth.user && !password) reader.problem('NATS_USER needs NATS_PASSWORD');
  if (password && !auth.user) reader.problem('NATS_PASSWORD needs NATS_USER');
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    reader.problem('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together');
  }
  const methods = [
    auth.user || password ? 'NATS_USER/NATS_PASSWORD' : undefined,
    env.NATS_TOKEN ? 'NATS_TOKEN' : undefined,
    auth.credsFile ? 'NATS_CREDS_FILE' : undefined,
    auth.nkeySeedFile ? 'NATS_NKEY_SEED_FILE' : undefined,
  ].filter((method) => method !== undefined);
  if (methods.length > 1) reader.problem(`NATS credentials: set only one of ${methods.join(', ')}`);
  if (isProduction(env) && methods.length === 0 && !tls.certFile) {
    reader.problem(`NATS credentials are required when NODE_ENV=production: set ${CREDENTIALS}`);
  }
  return auth;
}
